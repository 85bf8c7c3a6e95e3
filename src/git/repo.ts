import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { git } from './git.js';

/** Where a repository lives, seen from one checkout (the main one or a linked worktree). */
export interface RepoFacts {
  /** Top directory of the checkout holding the cwd (a linked worktree's own root inside one). */
  root: string;
  /** The repository's shared git directory: refs, objects, worktree metadata, Orchestra's lock. */
  commonDir: string;
  /** This checkout's private git directory (equal to `commonDir` in the main checkout). */
  gitDir: string;
  /** The commit HEAD points at. */
  head: string;
  /** The branch checked out (short name), or null on a detached HEAD. */
  branch: string | null;
}

/**
 * Read the repository facts from any directory inside a checkout. Refuses, with what to do, outside
 * a git repository, in a bare repository and in a repository without a commit.
 */
export async function openRepo(cwd: string, options: { env?: NodeJS.ProcessEnv } = {}): Promise<RepoFacts> {
  const env = options.env === undefined ? {} : { env: options.env };
  const top = await git(
    ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir', '--git-dir'],
    { cwd, allowFailure: true, ...env },
  );
  if (top.code !== 0) {
    if (/not a git repository/i.test(top.stderr))
      throw new UserError(
        'not-a-repository',
        `${resolve(cwd)} is not inside a git repository; Orchestra works in a repository with at least one commit (run: git init && git add -A && git commit -m "initial commit")`,
      );
    if (/this operation must be run in a work tree/i.test(top.stderr))
      throw new UserError(
        'bare-repository',
        `${resolve(cwd)} is a bare repository; run Orchestra inside a checkout (git worktree add <dir>)`,
      );
    throw new UserError(
      'not-a-repository',
      `cannot read the git repository at ${resolve(cwd)}: ${top.stderr.trim()}`,
    );
  }
  const [root, commonDir, gitDir] = top.stdout.split('\n');
  if (!root || !commonDir || !gitDir || !isAbsolute(root))
    throw new UserError(
      'bare-repository',
      `${resolve(cwd)} has no work tree; run Orchestra inside a checkout of the repository`,
    );
  const head = await git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
    cwd,
    allowFailure: true,
    ...env,
  });
  if (head.code !== 0 || !head.stdout.trim())
    throw new UserError(
      'no-commit',
      `the repository at ${root} has no commit yet; Orchestra branches every task from a commit (run: git add -A && git commit -m "initial commit")`,
    );
  const sym = await git(['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd, allowFailure: true, ...env });
  return {
    root,
    commonDir,
    gitDir,
    head: head.stdout.trim(),
    branch: sym.code === 0 && sym.stdout.trim() ? sym.stdout.trim() : null,
  };
}
