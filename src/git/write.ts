import { GitError, type GitOptions, type GitResult, git } from './git.js';
import { type RepoLockSettings, withRepoLock } from './lock.js';

/** Options of a git command that writes to the repository. */
export interface GitWriteOptions extends GitOptions {
  /** The repository's common git directory: the key of its lock. */
  commonDir: string;
  lock?: RepoLockSettings;
  /** Attempts when git reports another process's `.lock` file (default 6, backing off to ~3 s). */
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * True when git failed only because another process holds one of its lock files (index.lock,
 * config.lock, packed-refs.lock, a ref's .lock): a retry can succeed.
 */
export function isLockContention(result: GitResult): boolean {
  const text = `${result.stderr}\n${result.stdout}`;
  return (
    /\.lock'?:? File exists/i.test(text) ||
    /Unable to create '[^']*\.lock'/i.test(text) ||
    /another git process seems to be running/i.test(text) ||
    /could not lock config file/i.test(text)
  );
}

/**
 * Run a git command that writes, serialized with every other Orchestra git write to the same
 * repository, retrying a bounded number of times when a foreign git process holds a lock file.
 */
export function gitWrite(args: readonly string[], options: GitWriteOptions): Promise<GitResult> {
  return withRepoLock(options.commonDir, () => gitRetrying(args, options), options.lock);
}

/** The retry half of `gitWrite`, for callers already holding the repository lock. */
export async function gitRetrying(args: readonly string[], options: GitWriteOptions): Promise<GitResult> {
  const { commonDir: _c, lock: _l, attempts = 6, sleep = defaultSleep, allowFailure, ...rest } = options;
  let delay = 50;
  for (let attempt = 1; ; attempt++) {
    const result = await git(args, { ...rest, allowFailure: true });
    if (result.code === 0) return result;
    if (attempt < attempts && isLockContention(result)) {
      await sleep(delay);
      delay *= 2;
      continue;
    }
    if (allowFailure) return result;
    throw new GitError(args, result);
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
