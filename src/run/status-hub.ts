import { existsSync } from 'node:fs';
import { findRepoRoot } from '../config/repo-root.js';
import { UserError } from '../errors.js';
import { readRegistry } from '../executor/worktree-registry.js';
import { runState } from '../executor/worktree-sweep.js';
import { type Hub, hubPath, openHub } from '../hub/index.js';
import type { RunLiveness } from './status.js';

/** The repository's hub, opened for reading runs; a user error when the repository has no runs. */
export function openRunsHub(cwd: string): { hub: Hub; root: string } {
  const root = findRepoRoot(cwd) ?? cwd;
  const path = hubPath(root);
  if (!existsSync(path)) throw noRuns(root);
  return { hub: openHub({ path }), root };
}

/** "No runs yet" for a repository, with how to start one. */
export function noRuns(root: string): UserError {
  return new UserError(
    'no-runs',
    `no runs yet in ${root}: start one with orchestra run "<request>" (or --plan <file>)`,
  );
}

/** The run given, or the newest run of the hub. */
export function pickRun(hub: Hub, root: string, runId: string | undefined): string {
  if (runId !== undefined) return hub.runs.require(runId).id;
  const newest = hub.runs.list()[0];
  if (!newest) throw noRuns(root);
  return newest.id;
}

/**
 * Whether a run's orchestrating process is alive, from the worktree registry in the repository's
 * git directory (the hub does not store the pid). `unknown` when the registry cannot tell.
 */
export async function runLiveness(cwd: string, runId: string, env?: NodeJS.ProcessEnv): Promise<RunLiveness> {
  try {
    const { openRepo } = await import('../git/repo.js');
    const repo = await openRepo(cwd, env ? { env } : {});
    const registry = await readRegistry(repo.commonDir);
    const run = registry.runs[runId];
    return run ? runState(run) : 'unknown';
  } catch {
    return 'unknown';
  }
}
