import type { Hub, TaskStatus } from '../hub/index.js';
import { baselineTaskIds, sumUsage } from './report.js';

/** Whether the process of a `running` run is alive, as the worktree registry knows it. */
export type RunLiveness = 'running' | 'dead' | 'finished' | 'unknown';

/**
 * Where a run stands. `interrupted`: stored as running but its process is gone (killed, crashed);
 * `running or interrupted`: stored as running and the process cannot be checked.
 */
export type RunState =
  | 'planning'
  | 'running'
  | 'interrupted'
  | 'running or interrupted'
  | 'stopped'
  | 'succeeded'
  | 'failed'
  | 'cancelled';

/** One task as `orchestra status` shows it. */
export interface TaskStatusRow {
  id: string;
  agent: string;
  status: TaskStatus | 'pending';
  attempts: number;
  wave: number | null;
  branch: string | null;
  reason: string | null;
  totalTokens: number;
  costUsd: number;
}

/** `orchestra status`: where a run stands and how to continue it. */
export interface RunStatusView {
  run: { id: string; goal: string; status: string; createdAt: string; updatedAt: string };
  state: RunState;
  waves: Array<{ wave: number; tasks: string[]; finished: boolean; merged: string[]; failed: string[] }>;
  tasks: TaskStatusRow[];
  merged: string[];
  openFixes: Array<{ id: number; ownerTask: string; status: string; description: string }>;
  usage: { totalTokens: number; costUsd: number };
  budgetExceeded: { spentUsd: number; budgetUsd: number } | null;
  /** The command that continues the run, when it can be continued. */
  resume: string | null;
}

/** One line of `orchestra runs`. */
export interface RunListRow {
  id: string;
  createdAt: string;
  status: string;
  goal: string;
  done: number;
  total: number;
  costUsd: number;
}

/** The parts of the hub status reads. */
export type StatusHub = Pick<Hub, 'runs' | 'tasks' | 'events' | 'usage' | 'fixes'>;

const DONE: ReadonlySet<string> = new Set(['merged', 'succeeded']);

/** The resume command of a run. */
export const resumeCommand = (runId: string) => `orchestra run --resume ${runId}`;

/** Where a run stands, read from the hub; `liveness` tells a live run from an interrupted one. */
export function buildStatus(hub: StatusHub, runId: string, liveness: RunLiveness = 'unknown'): RunStatusView {
  const run = hub.runs.require(runId);
  const rows = hub.tasks.list(runId);
  const all = hub.usage.list(runId);
  const usage = all.filter((u) => u.layer !== 'baseline');
  const planIds = run.plan?.tasks.map((t) => t.id) ?? [];
  const baseline = baselineTaskIds(all, new Set(planIds));
  const ids = [
    ...planIds,
    ...rows.map((r) => r.id).filter((id) => !planIds.includes(id) && !baseline.has(id)),
  ];
  const tasks = ids.map((id): TaskStatusRow => {
    const row = rows.find((r) => r.id === id);
    const own = sumUsage(usage.filter((u) => u.taskId === id));
    return {
      id,
      agent: row?.agent ?? run.plan?.tasks.find((t) => t.id === id)?.agent ?? '',
      status: row?.status ?? 'pending',
      attempts: row?.attempts ?? 0,
      wave: row?.wave ?? null,
      branch: row?.branch ?? null,
      reason: row?.reason ?? null,
      totalTokens: own.totalTokens,
      costUsd: own.costUsd,
    };
  });
  const waves: RunStatusView['waves'] = [];
  for (const e of hub.events.list({ runId, type: ['wave.started', 'wave.finished'] })) {
    if (e.type === 'wave.started')
      waves.push({ wave: e.wave, tasks: e.tasks, finished: false, merged: [], failed: [] });
    else if (e.type === 'wave.finished') {
      const w = waves.findLast((x) => x.wave === e.wave && !x.finished);
      if (w) Object.assign(w, { finished: true, merged: e.merged, failed: e.failed });
    }
  }
  const budget = hub.events.list({ runId, type: 'budget.exceeded' }).at(-1);
  const state = stateOf(run.status, liveness);
  const total = sumUsage(usage);
  return {
    run: {
      id: run.id,
      goal: run.goal,
      status: run.status,
      createdAt: run.createdAt,
      updatedAt: run.updatedAt,
    },
    state,
    waves,
    tasks,
    merged: tasks.filter((t) => t.status === 'merged').map((t) => t.id),
    openFixes: hub.fixes
      .list(runId)
      .filter((f) => f.status === 'open' || f.status === 'dispatched')
      .map((f) => ({ id: f.id, ownerTask: f.ownerTask, status: f.status, description: f.description })),
    usage: { totalTokens: total.totalTokens, costUsd: total.costUsd },
    budgetExceeded:
      budget?.type === 'budget.exceeded' ? { spentUsd: budget.spentUsd, budgetUsd: budget.budgetUsd } : null,
    resume: resumable(state, run.plan !== null)
      ? // A run stopped by its budget continues only with a higher one.
        `${resumeCommand(run.id)}${state === 'stopped' && budget ? ' --budget-usd <usd>' : ''}`
      : null,
  };
}

function stateOf(status: string, liveness: RunLiveness): RunState {
  if (status !== 'running') return status as RunState;
  if (liveness === 'running') return 'running';
  if (liveness === 'dead' || liveness === 'finished') return 'interrupted';
  return 'running or interrupted';
}

function resumable(state: RunState, hasPlan: boolean): boolean {
  if (!hasPlan) return false;
  return (
    state === 'stopped' ||
    state === 'interrupted' ||
    state === 'running or interrupted' ||
    state === 'planning' ||
    state === 'failed'
  );
}

/** The runs of a hub, newest first, with tasks done/total and cost so far. */
export function listRuns(hub: StatusHub): RunListRow[] {
  return hub.runs.list().map((run) => {
    const rows = hub.tasks.list(run.id);
    const all = hub.usage.list(run.id);
    const planIds = new Set(run.plan?.tasks.map((t) => t.id) ?? []);
    const baseline = baselineTaskIds(all, planIds);
    const ids = new Set([...planIds, ...rows.map((r) => r.id).filter((id) => !baseline.has(id))]);
    const usage = all.filter((u) => u.layer !== 'baseline');
    return {
      id: run.id,
      createdAt: run.createdAt,
      status: run.status,
      goal: run.goal,
      done: rows.filter((r) => ids.has(r.id) && DONE.has(r.status)).length,
      total: ids.size,
      costUsd: sumUsage(usage).costUsd,
    };
  });
}
