import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { findRepoRoot } from '../config/index.js';
import { UserError } from '../errors.js';
import { readRegistry, runState } from '../executor/registry.js';
import { type Hub, hubPath, openHub } from '../hub/index.js';
import type { RunLiveness } from './status.js';

/** The repository's hub, opened for reading runs; a user error when the repository has no runs. */
export function openRunsHub(cwd: string): { hub: Hub; root: string } {
  const root = findRepoRoot(cwd) ?? cwd;
  // Inside a linked worktree (a task's, say) the runs are in the main checkout's hub.
  for (const dir of [root, mainCheckout(root)]) {
    if (dir !== undefined && existsSync(hubPath(dir)))
      return { hub: openHub({ path: hubPath(dir) }), root: dir };
  }
  throw noRuns(root);
}

/** The main checkout of a linked worktree (whose `.git` is a file "gitdir: <main>/.git/worktrees/<name>"). */
function mainCheckout(root: string): string | undefined {
  try {
    const dotGit = join(root, '.git');
    if (!statSync(dotGit).isFile()) return undefined;
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'));
    const gitDir = m?.[1] ? resolve(root, m[1]) : undefined;
    const marker = `${sep}.git${sep}worktrees${sep}`;
    const at = gitDir?.lastIndexOf(marker) ?? -1;
    return gitDir && at > 0 ? gitDir.slice(0, at) : undefined;
  } catch {
    return undefined;
  }
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
    const { openRepo } = await import('../git/index.js');
    const repo = await openRepo(cwd, env ? { env } : {});
    const registry = await readRegistry(repo.commonDir);
    const run = registry.runs[runId];
    return run ? runState(run) : 'unknown';
  } catch {
    return 'unknown';
  }
}
