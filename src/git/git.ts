import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { OrchestraError, UserError } from '../errors.js';

/** The output of one git command. */
export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Options of one git command. */
export interface GitOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Return non-zero exits instead of throwing. */
  allowFailure?: boolean;
  timeoutMs?: number;
}

/** The identity Orchestra commits with when the repository has none configured. */
export const ORCHESTRA_IDENTITY = { name: 'Orchestra', email: 'orchestra@localhost' } as const;

/** A git command that failed, with its arguments and stderr. */
export class GitError extends OrchestraError {
  override readonly name = 'GitError';
  constructor(
    readonly args: readonly string[],
    readonly result: GitResult,
  ) {
    super(
      'git-failed',
      `git ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
}

/**
 * Run git with an argument array (never a shell string). Locale, pager and prompts are pinned so
 * output is parseable and git never waits for a terminal.
 */
export function git(args: readonly string[], options: GitOptions): Promise<GitResult> {
  const env: NodeJS.ProcessEnv = {
    ...withoutRepositoryEnv(process.env),
    ...options.env,
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_PAGER: 'cat',
    GIT_OPTIONAL_LOCKS: '0',
  };
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      {
        cwd: options.cwd,
        env,
        maxBuffer: 256 * 1024 * 1024,
        timeout: options.timeoutMs ?? 120_000,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          // Node reports a missing cwd and a missing git binary alike; neither is a git failure.
          reject(
            existsSync(options.cwd)
              ? new OrchestraError(
                  'git-not-found',
                  'git is not installed or not on PATH; install git 2.31 or later',
                )
              : new UserError('no-such-directory', `the directory ${options.cwd} does not exist`),
          );
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const result = { stdout, stderr, code };
        if (code !== 0 && !options.allowFailure) reject(new GitError(args, result));
        else resolve(result);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Trimmed stdout of a git command that must succeed. */
export async function gitOut(args: readonly string[], options: GitOptions): Promise<string> {
  return (await git(args, options)).stdout.trim();
}

/**
 * Variables that point git at another repository, index or work tree. Inherited from a parent
 * (Orchestra run from a git hook, say) they would redirect every command, so the runner drops them
 * from the process environment; a caller may still pass them explicitly in `options.env`.
 */
export const REPOSITORY_ENV_VARS = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
] as const;

function withoutRepositoryEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const k of REPOSITORY_ENV_VARS) delete out[k];
  return out;
}
