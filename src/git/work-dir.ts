import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Orchestra's working directory inside a repository: hub, worktrees, run files. */
export const WORK_DIR = '.orchestra';

/**
 * Create `<root>/.orchestra` kept out of the user's `git status` without editing their files: a
 * `.gitignore` inside it that ignores everything, itself included. Idempotent.
 */
export function ensureWorkDir(root: string): string {
  const dir = join(root, WORK_DIR);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, '.gitignore');
  if (!existsSync(file)) {
    try {
      writeFileSync(file, "# Orchestra's working files (worktrees, hub): never committed.\n*\n", {
        flag: 'wx',
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return dir;
}
