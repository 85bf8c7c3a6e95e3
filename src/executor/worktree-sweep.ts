import { rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { isProcessAlive, openRepo, type ProcessStamp, withRepoLock } from '../git/index.js';
import { legacyRunDir } from './worktree-ids.js';
import { listWorktrees } from './worktree-list.js';
import { type Registry, type RegistryRun, readRegistry, updateRegistry } from './worktree-registry.js';
import { removeBranch, removeRunCheckout, removeTaskWorktree } from './worktree-remove.js';

/** What the sweep removes. By default: runs that finished and runs whose process is gone. */
export interface SweepSettings {
  /** Any directory inside the repository. */
  cwd: string;
  /** Only this run. */
  runId?: string;
  /** Also runs still in progress (their agents lose their worktrees). */
  all?: boolean;
  /** Runs never to touch: the run that is starting or resuming. */
  keepRuns?: readonly string[];
  /** Remove worktrees but keep the branches (and their commits) for inspection. */
  keepBranches?: boolean;
  /** Report what would be removed; change nothing. */
  dryRun?: boolean;
  isAlive?: (owner: ProcessStamp) => boolean;
  env?: NodeJS.ProcessEnv;
}

/** Why a run is (or is not) removed. */
export type RunState = 'finished' | 'dead' | 'running';

/** What the sweep did with one run. */
export interface SweptRun {
  runId: string;
  state: RunState;
  pid: number;
  /** removed: everything of the run is gone (or would be, in a dry run); partial: something stayed. */
  action: 'removed' | 'partial' | 'kept';
  worktrees: string[];
  branches: string[];
  problems: string[];
}

/** The sweep's report. */
export interface SweepReport {
  dryRun: boolean;
  runs: SweptRun[];
  /** Temporary check checkouts (`orchestra-validate-<pid>-…`) whose process is gone, removed. */
  temporary: string[];
}

/** A temporary check checkout's directory name: the validator's prefix, then its process id. */
const TEMPORARY = /^orchestra-validate-(\d+)-/;

/** The state of a run from its registry entry: finished, dead (process gone) or running. */
export function runState(
  run: RegistryRun,
  isAlive: (owner: ProcessStamp) => boolean = isProcessAlive,
): RunState {
  if (run.finishedAt !== undefined) return 'finished';
  return isAlive(run.owner) ? 'running' : 'dead';
}

/**
 * Remove the worktrees and branches of finished and dead runs (also after `kill -9` of the
 * orchestrating process), and only what the registry says Orchestra created: a user's worktree, or a
 * branch named `orchestra/...` that Orchestra did not record, is never touched.
 */
export async function sweepWorktrees(settings: SweepSettings): Promise<SweepReport> {
  const env = settings.env ? { env: settings.env } : {};
  const repo = await openRepo(settings.cwd, env);
  const isAlive = settings.isAlive ?? isProcessAlive;
  const dryRun = settings.dryRun ?? false;
  return withRepoLock(repo.commonDir, async () => {
    const registry = await readRegistry(repo.commonDir);
    if (
      settings.runId !== undefined &&
      !(settings.runId in registry.runs) &&
      !hasEntries(registry, settings.runId)
    )
      throw new UserError(
        'unknown-run',
        `Orchestra has no worktrees of run "${settings.runId}" in this repository; \`orchestra clean --dry-run\` lists the runs it knows`,
      );
    const runIds = new Set([
      ...Object.keys(registry.runs),
      ...registry.worktrees.map((w) => w.runId),
      ...registry.branches.map((b) => b.runId),
    ]);
    const report: SweepReport = { dryRun, runs: [], temporary: [] };
    // Temporary checkouts of a validation or base check whose process died before removing them.
    for (const w of await listWorktrees(repo.root, settings.env)) {
      const pid = Number(TEMPORARY.exec(basename(w.path))?.[1] ?? Number.NaN);
      if (!Number.isInteger(pid) || pidAlive(pid)) continue;
      if (await removeRunCheckout({ repo, path: w.path, dryRun, ...env })) report.temporary.push(w.path);
    }
    for (const runId of [...runIds].sort()) {
      if (settings.runId !== undefined && runId !== settings.runId) continue;
      if (settings.keepRuns?.includes(runId)) continue;
      const run = registry.runs[runId];
      // Entries without a run record (an interrupted write) count as dead: nothing can own them.
      const state = run ? runState(run, isAlive) : 'dead';
      const swept: SweptRun = {
        runId,
        state,
        pid: run?.owner.pid ?? 0,
        action: 'kept',
        worktrees: [],
        branches: [],
        problems: [],
      };
      report.runs.push(swept);
      if (state === 'running' && !settings.all) continue;

      const keptBranches: Registry['branches'] = [];
      const worktrees = registry.worktrees.filter((w) => w.runId === runId);
      for (const w of worktrees) {
        const r = await removeTaskWorktree({
          repo,
          entry: w,
          runDir: run?.dir,
          keepBranch: settings.keepBranches ?? false,
          dryRun,
          ...env,
        });
        if (r.worktree === 'removed') swept.worktrees.push(w.path);
        if (r.branch === 'deleted') swept.branches.push(w.branch);
        if (r.problem) swept.problems.push(`${w.branch}: ${r.problem}`);
        if (r.branch === 'kept' || r.branch === 'in-use')
          keptBranches.push({ runId, branch: w.branch, createdAt: w.createdAt });
      }
      // The integration checkout the validator made in the run's directory (or, from earlier
      // versions, under the checkout's .orchestra/worktrees/), then the emptied directories.
      const runDirs = [run?.dir, legacyRunDir(run?.root ?? repo.root, runId)].filter(
        (d): d is string => d !== undefined,
      );
      for (const d of runDirs) {
        const path = join(d, 'integration');
        if (await removeRunCheckout({ repo, path, dryRun, ...env })) swept.worktrees.push(path);
        if (!dryRun) await removeEmptyDirs(d, run?.root ?? repo.root);
      }
      for (const b of registry.branches.filter((x) => x.runId === runId)) {
        if (settings.keepBranches) {
          keptBranches.push(b);
          continue;
        }
        const r = await removeBranch({ repo, branch: b.branch, dryRun, ...env });
        if (r === 'deleted') swept.branches.push(b.branch);
        else if (typeof r === 'object') {
          swept.problems.push(`${b.branch}: ${r.problem}`);
          keptBranches.push(b);
        }
      }
      swept.action = swept.problems.length > 0 ? 'partial' : 'removed';
      if (dryRun) continue;
      await updateRegistry(repo.commonDir, (reg) => {
        reg.worktrees = reg.worktrees.filter((w) => w.runId !== runId);
        reg.branches = [...reg.branches.filter((b) => b.runId !== runId), ...keptBranches];
        // The run record goes with its last branch; while branches stay, it remembers they are Orchestra's.
        if (keptBranches.length === 0) delete reg.runs[runId];
      });
    }
    return report;
  });
}

/** Remove `dir` and then its parents while they are empty, stopping at `stop` or any directory with something in it. */
async function removeEmptyDirs(dir: string, stop: string): Promise<void> {
  for (let d = dir; d !== stop && d !== dirname(d); d = dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      return; // not empty, or not there: leave it and its parents alone
    }
    if (basename(d) === 'worktrees') return;
  }
}

function hasEntries(registry: Registry, runId: string): boolean {
  return (
    registry.worktrees.some((w) => w.runId === runId) || registry.branches.some((b) => b.runId === runId)
  );
}

/** Whether process `pid` of this host still runs (kill 0: it exists, or it is not ours to signal). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
