import { existsSync } from 'node:fs';
import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { RepoFacts } from '../git/index.js';
import { gitRetrying } from '../git/index.js';
import { TASK_GIT_CONFIG } from './worktree-commit.js';
import { LEGACY_WORKTREES_DIR } from './worktree-ids.js';
import { branchExists, listWorktrees } from './worktree-list.js';
import type { RegistryWorktree } from './worktree-registry.js';

/** What removing one task worktree did. */
export interface RemovedWorktree {
  /** removed: it was there and is gone; absent: it was already gone. */
  worktree: 'removed' | 'absent' | 'refused';
  /** deleted, kept (asked to), absent (already gone), in-use (checked out elsewhere: left alone). */
  branch: 'deleted' | 'kept' | 'absent' | 'in-use';
  problem?: string;
}

/**
 * True when `path` is where Orchestra puts this task's worktree: `<run dir>/<task>` (the run's
 * directory in the state directory, as the registry recorded it) or, from earlier versions,
 * `<checkout>/.orchestra/worktrees/<run>/<task>`. A registry entry pointing elsewhere is not trusted.
 */
export function isOrchestraWorktreePath(
  entry: Pick<RegistryWorktree, 'path' | 'runId' | 'taskId'>,
  runDir?: string,
): boolean {
  if (!isAbsolute(entry.path) || resolve(entry.path) !== entry.path) return false;
  if (runDir !== undefined && entry.path === join(runDir, entry.taskId)) return true;
  return entry.path.endsWith(`/${join(LEGACY_WORKTREES_DIR, entry.runId, entry.taskId)}`);
}

/**
 * Remove a worktree Orchestra created (dirty or locked: it is ours), its git metadata, and its
 * branch unless asked to keep it. Only this worktree's metadata is forgotten — never a global
 * `git worktree prune`, which would also drop a user's worktree whose disk is merely unmounted.
 * Call while holding the repository lock.
 */
export async function removeTaskWorktree(s: {
  repo: RepoFacts;
  entry: RegistryWorktree;
  /** The run's worktree directory as the registry recorded it. */
  runDir?: string | undefined;
  keepBranch: boolean;
  dryRun?: boolean;
  env?: NodeJS.ProcessEnv;
}): Promise<RemovedWorktree> {
  const { repo, entry } = s;
  const env = s.env ? { env: s.env } : {};
  if (!isOrchestraWorktreePath(entry, s.runDir))
    return {
      worktree: 'refused',
      branch: 'kept',
      problem: `registry entry points outside the run's worktree directory (${entry.path}); left alone`,
    };
  const write = { cwd: repo.root, commonDir: repo.commonDir, ...env };
  const known = (await listWorktrees(repo.root, s.env)).some((w) => w.path === entry.path);
  const metadata = await metadataDirs(repo.commonDir, entry.path);
  const present = known || existsSync(entry.path) || metadata.length > 0;
  if (present && !s.dryRun) {
    if (known)
      await gitRetrying([...TASK_GIT_CONFIG, 'worktree', 'remove', '--force', '--force', entry.path], {
        ...write,
        allowFailure: true,
      });
    await rm(entry.path, { recursive: true, force: true });
    for (const m of await metadataDirs(repo.commonDir, entry.path))
      await rm(m, { recursive: true, force: true });
    await rmdir(dirname(entry.path)).catch(() => {}); // the run's directory, once empty
  }
  const worktree = present ? 'removed' : 'absent';
  if (s.keepBranch) return { worktree, branch: 'kept' };
  if (!(await branchExists(repo.root, entry.branch, s.env))) return { worktree, branch: 'absent' };
  if (s.dryRun) return { worktree, branch: 'deleted' };
  const del = await gitRetrying([...TASK_GIT_CONFIG, 'branch', '-D', '--', entry.branch], {
    ...write,
    allowFailure: true,
  });
  if (del.code === 0) return { worktree, branch: 'deleted' };
  return { worktree, branch: 'in-use', problem: del.stderr.trim() || del.stdout.trim() };
}

/** Delete a branch Orchestra created that has no worktree; never one checked out somewhere. */
export async function removeBranch(s: {
  repo: RepoFacts;
  branch: string;
  dryRun?: boolean;
  env?: NodeJS.ProcessEnv;
}): Promise<RemovedWorktree['branch'] | { problem: string }> {
  if (!(await branchExists(s.repo.root, s.branch, s.env))) return 'absent';
  if (s.dryRun) return 'deleted';
  const del = await gitRetrying([...TASK_GIT_CONFIG, 'branch', '-D', '--', s.branch], {
    cwd: s.repo.root,
    commonDir: s.repo.commonDir,
    allowFailure: true,
    ...(s.env ? { env: s.env } : {}),
  });
  return del.code === 0 ? 'deleted' : { problem: del.stderr.trim() || del.stdout.trim() };
}

/**
 * Remove a checkout that is not in the registry's worktree list but lies in a run's own directory
 * (the integration worktree the validator made there): git's metadata of it and the directory.
 * Call while holding the repository lock.
 */
export async function removeRunCheckout(s: {
  repo: RepoFacts;
  path: string;
  dryRun?: boolean;
  env?: NodeJS.ProcessEnv;
}): Promise<boolean> {
  const known = (await listWorktrees(s.repo.root, s.env)).some((w) => w.path === s.path);
  const metadata = await metadataDirs(s.repo.commonDir, s.path);
  const present = known || existsSync(s.path) || metadata.length > 0;
  if (!present || s.dryRun) return present;
  if (known)
    await gitRetrying([...TASK_GIT_CONFIG, 'worktree', 'remove', '--force', '--force', s.path], {
      cwd: s.repo.root,
      commonDir: s.repo.commonDir,
      allowFailure: true,
      ...(s.env ? { env: s.env } : {}),
    });
  await rm(s.path, { recursive: true, force: true });
  for (const m of await metadataDirs(s.repo.commonDir, s.path)) await rm(m, { recursive: true, force: true });
  return true;
}

/** The `<common-dir>/worktrees/<name>` entries whose `gitdir` points into `path`. */
async function metadataDirs(commonDir: string, path: string): Promise<string[]> {
  const root = join(commonDir, 'worktrees');
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    const gitdir = await readFile(join(root, name, 'gitdir'), 'utf8').catch(() => '');
    if (gitdir.trim() === join(path, '.git')) out.push(join(root, name));
  }
  return out;
}
