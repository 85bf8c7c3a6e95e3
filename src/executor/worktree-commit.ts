import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OrchestraError } from '../errors.js';
import { git, gitRetrying, identityArgs } from '../git/index.js';
import { LINK_MARKER } from '../workspace/index.js';
import { type ChangedFile, changedFiles } from './worktree-changes.js';

/**
 * Settings Orchestra adds to every git command that writes for a task: the user's hooks do not run
 * in task worktrees (a pre-commit linter must not block saving an agent's work, and checks belong to
 * the validator), commits are not signed (a signing prompt would hang a headless run), and no
 * automatic gc starts in the background holding locks.
 */
export const TASK_GIT_CONFIG = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'commit.gpgSign=false',
  '-c',
  'gc.auto=0',
  '-c',
  'maintenance.auto=false',
] as const;

/** What a task commit produced. */
export interface TaskCommit {
  /** The new commit, or null when nothing changed since the last commit. */
  commit: string | null;
  /** Every file the branch changed against the base (all commits of the task, not only this one). */
  files: ChangedFile[];
}

/** The commit message of a task: `orchestra(<task-id>): <title>`, then the agent and the run. */
export function taskCommitMessage(m: {
  taskId: string;
  title: string;
  agent: string;
  runId: string;
}): string {
  const title = m.title.replace(/\s+/g, ' ').trim().slice(0, 100) || 'work';
  return `orchestra(${m.taskId}): ${title}\n\nAgent: ${m.agent}\nRun: ${m.runId}\n`;
}

/**
 * Stage everything in the worktree (new files too; the repository's ignore rules apply) and commit
 * it on the task branch. Call while holding the repository lock.
 */
export async function commitWorktree(s: {
  path: string;
  branch: string;
  base: string;
  commonDir: string;
  message: string;
  env?: NodeJS.ProcessEnv;
}): Promise<TaskCommit> {
  const env = s.env ? { env: s.env } : {};
  const head = await git(['symbolic-ref', '--quiet', 'HEAD'], { cwd: s.path, allowFailure: true, ...env });
  if (head.stdout.trim() !== `refs/heads/${s.branch}`)
    throw new OrchestraError(
      'worktree-head-moved',
      `the worktree ${s.path} is no longer on its branch ${s.branch} (HEAD: ${head.stdout.trim() || 'detached'}); something in the task ran git checkout — its work is not committed`,
    );
  const write = { cwd: s.path, commonDir: s.commonDir, ...env };
  // The packages Orchestra linked from the checkout are never the task's work, ignored or not.
  // (An exclude pathspec naming an ignored path is an error to git add: only when not ignored.)
  const linked =
    existsSync(join(s.path, 'node_modules', LINK_MARKER)) &&
    (await git(['check-ignore', '-q', 'node_modules'], { cwd: s.path, allowFailure: true, ...env })).code !==
      0;
  await gitRetrying(
    [...TASK_GIT_CONFIG, 'add', '--all', '--', '.', ...(linked ? [':(exclude,top)node_modules'] : [])],
    write,
  );
  const staged = await git(['diff', '--cached', '--quiet', '--no-ext-diff'], {
    cwd: s.path,
    allowFailure: true,
    ...env,
  });
  let commit: string | null = null;
  if (staged.code !== 0) {
    const identity = await identityArgs(s.path, s.env);
    await gitRetrying([...TASK_GIT_CONFIG, ...identity, 'commit', '--quiet', '--no-verify', '-F', '-'], {
      ...write,
      input: s.message,
    });
    commit = (await git(['rev-parse', 'HEAD'], { cwd: s.path, ...env })).stdout.trim();
  }
  const files = await changedFiles({ cwd: s.path, base: s.base, ref: `refs/heads/${s.branch}`, ...env });
  return { commit, files };
}
