import { UserError } from '../errors.js';
import type { Hub } from '../hub/index.js';
import type { FixTaskSink, ValidationReport } from './types.js';
import { type ValidateSettings, validateBranches } from './validate.js';

/** The hub as a sink: conflicts and open fix tasks of the run (never twice), for the run engine. */
export function hubSink(hub: Pick<Hub, 'conflicts' | 'fixes'>): FixTaskSink {
  return {
    addConflict(runId, c) {
      hub.conflicts.add({
        runId,
        kind: 'merge',
        files: c.files,
        tasks: [...c.withTasks, c.taskId],
        detail: `merging ${c.taskId} (${c.ref}) conflicted; the merge was aborted`,
      });
    },
    addFixTask(runId, f) {
      // A re-validation finds the same problem again: keep one open fix task for it. One its owner
      // could not act on (escalated) or that was set aside (abandoned) is never sent to that owner again.
      const same = (x: { description: string; source: string | null }) =>
        x.source === f.kind && fixIdentity(x.description) === fixIdentity(f.description);
      const mine = hub.fixes.list(runId, { ownerTask: f.taskId });
      if (mine.some((x) => same(x) && ['open', 'escalated', 'abandoned'].includes(x.status))) return;
      hub.fixes.add({
        runId,
        ownerTask: f.taskId,
        description: f.description,
        contractId: f.contractId ?? null,
        expected: f.expected ?? null,
        actual: f.actual ?? null,
        source: f.kind,
      });
    },
  };
}

/**
 * What makes two fix tasks the same problem: their first line (the finding's title) without
 * positions, so output that differs run to run (timings, a moved line) never makes a new fix.
 */
export function fixIdentity(description: string): string {
  return (description.split('\n')[0] ?? '').replace(/:\d+:\d+/g, '').trim();
}

/** Settings of `validateRun`: the run's plan, base and branches come from the hub. */
export type ValidateRunSettings = Omit<ValidateSettings, 'plan' | 'branches' | 'base' | 'runId' | 'sink'> & {
  runId: string;
  hub: Pick<Hub, 'runs' | 'tasks' | 'conflicts' | 'fixes' | 'events'>;
};

/**
 * Validate a run's completed tasks (succeeded or merged, with a branch) on the run's integration
 * branch; conflicts, fix tasks and one event per merge and finding are written to the hub.
 */
export async function validateRun(settings: ValidateRunSettings): Promise<ValidationReport> {
  const { hub, runId, ...rest } = settings;
  const run = hub.runs.require(runId);
  if (!run.plan) {
    throw new UserError(
      'run-without-plan',
      `run "${runId}" has no plan yet; validate it once its tasks have run`,
    );
  }
  const done = hub.tasks
    .list(runId)
    .filter((t) => (t.status === 'succeeded' || t.status === 'merged') && t.branch !== null);
  if (done.length === 0) {
    throw new UserError(
      'nothing-to-validate',
      `run "${runId}" has no completed task with a branch yet; \`orchestra status ${runId}\` shows where it stands`,
    );
  }
  const report = await validateBranches({
    ...rest,
    plan: run.plan,
    runId,
    branches: done.map((t) => ({
      taskId: t.id,
      ref: t.branch as string,
      ...(t.startCommit ? { start: t.startCommit } : {}),
    })),
    ...(run.baseCommit ? { base: run.baseCommit } : {}),
    sink: hubSink(hub),
  });
  for (const m of report.merges) {
    hub.events.append({
      runId,
      taskId: m.taskId,
      type: 'merge',
      branch: m.ref,
      ok: m.ok,
      ...(m.commit ? { commit: m.commit } : {}),
    });
  }
  for (const c of report.criteria) {
    hub.events.append({
      runId,
      type: 'validation.criterion',
      command: c.command,
      tasks: c.tasks,
      exitCode: c.exitCode,
      timedOut: c.timedOut,
      durationMs: Math.max(0, c.durationMs),
      cached: c.cached,
    });
  }
  for (const f of report.findings) {
    hub.events.append({
      runId,
      taskId: f.taskId ?? null,
      type: 'validation.finding',
      kind: f.kind,
      severity: f.severity,
      message: f.title,
    });
  }
  return report;
}
