import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The root of the git repository holding `dir`: the closest ancestor with a `.git` entry (a
 * directory, or a file in worktrees and submodules). Undefined outside a repository. Walking the
 * tree instead of running git keeps this synchronous and cheap on every command.
 */
export function findRepoRoot(dir: string): string | undefined {
  let current = resolve(dir);
  for (;;) {
    if (existsSync(join(current, '.git'))) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** The directory Orchestra treats as the project root: the repository root, else `dir` itself. */
export function projectRoot(dir: string): string {
  return findRepoRoot(dir) ?? resolve(dir);
}
