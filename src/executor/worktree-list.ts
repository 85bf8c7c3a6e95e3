import { git } from '../git/index.js';

/** One checkout git knows, from `git worktree list --porcelain -z`. */
export interface GitWorktree {
  path: string;
  head?: string;
  /** Full ref name (`refs/heads/...`), absent when detached. */
  branch?: string;
  locked: boolean;
}

/** Parse `git worktree list --porcelain -z`. */
export function parseWorktreeList(output: string): GitWorktree[] {
  const out: GitWorktree[] = [];
  let cur: GitWorktree | undefined;
  for (const field of output.split('\0')) {
    if (field === '') {
      if (cur) out.push(cur);
      cur = undefined;
      continue;
    }
    const space = field.indexOf(' ');
    const key = space < 0 ? field : field.slice(0, space);
    const value = space < 0 ? '' : field.slice(space + 1);
    if (key === 'worktree') {
      if (cur) out.push(cur);
      cur = { path: value, locked: false };
    } else if (cur && key === 'HEAD') cur.head = value;
    else if (cur && key === 'branch') cur.branch = value;
    else if (cur && key === 'locked') cur.locked = true;
  }
  if (cur) out.push(cur);
  return out;
}

/** Every checkout of the repository holding `cwd`. */
export async function listWorktrees(cwd: string, env?: NodeJS.ProcessEnv): Promise<GitWorktree[]> {
  const r = await git(['worktree', 'list', '--porcelain', '-z'], { cwd, ...(env ? { env } : {}) });
  return parseWorktreeList(r.stdout);
}

/** True when the local branch exists. */
export async function branchExists(cwd: string, branch: string, env?: NodeJS.ProcessEnv): Promise<boolean> {
  const r = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], {
    cwd,
    allowFailure: true,
    ...(env ? { env } : {}),
  });
  return r.code === 0;
}
