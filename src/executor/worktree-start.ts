import { git, identityArgs } from '../git/index.js';

/** A dependency's branch to build a start point from. */
export interface DependencyTip {
  taskId: string;
  /** Its branch or commit. */
  ref: string;
}

/** Where a dependent task starts: a commit holding the base and its dependencies' merged work. */
export type StartPoint =
  | { ok: true; commit: string; dependencies: string[] }
  | { ok: false; taskId: string; message: string };

/**
 * Merge each dependency's branch, in the order given (dependency order), onto `base`, the way
 * the merge train merges them, without a checkout: `git merge-tree --write-tree` computes each
 * merge and `git commit-tree` records it. The result holds exactly the dependencies' work, so a
 * dependent's branch carries no other task's changes into its own merge; a dependency already
 * contained in the result (through another one) is not merged twice. Nothing is written but
 * objects: no ref, no index, no working tree.
 */
export async function dependencyStart(s: {
  /** Any directory of the repository. */
  cwd: string;
  base: string;
  tips: readonly DependencyTip[];
  env?: NodeJS.ProcessEnv;
}): Promise<StartPoint> {
  const opts = { cwd: s.cwd, ...(s.env ? { env: s.env } : {}) };
  let head = s.base;
  const merged: string[] = [];
  for (const tip of s.tips) {
    const sha = (
      await git(['rev-parse', '--verify', '--end-of-options', `${tip.ref}^{commit}`], opts)
    ).stdout.trim();
    const contained = await git(['merge-base', '--is-ancestor', sha, head], { ...opts, allowFailure: true });
    merged.push(tip.taskId);
    if (contained.code === 0) continue;
    const tree = await git(['merge-tree', '--write-tree', '--no-messages', head, sha], {
      ...opts,
      allowFailure: true,
    });
    if (tree.code !== 0)
      return {
        ok: false,
        taskId: tip.taskId,
        message: `merging ${tip.taskId} conflicts: ${tree.stdout.split('\n').slice(1).join(', ').trim() || tree.stderr.trim()}`,
      };
    const identity = await identityArgs(s.cwd, s.env);
    head = (
      await git(
        [
          ...identity,
          'commit-tree',
          tree.stdout.split('\n')[0]?.trim() ?? '',
          '-p',
          head,
          '-p',
          sha,
          '-m',
          `orchestra: merge ${tip.taskId} (${tip.ref})`,
        ],
        opts,
      )
    ).stdout.trim();
  }
  return { ok: true, commit: head, dependencies: merged };
}
