import type { EngineContext } from './engine-context.js';

/** What one running task may still spend: its share of the run's budget when it was dispatched. */
interface Reservation {
  capUsd: number;
  /** The task's spending before this dispatch (earlier attempts, earlier fix rounds). */
  spentBefore: number;
}

const ledgers = new WeakMap<EngineContext, Map<string, Reservation>>();
const ledger = (ctx: EngineContext) => {
  let l = ledgers.get(ctx);
  if (!l) {
    l = new Map();
    ledgers.set(ctx, l);
  }
  return l;
};

/** Below this share of the budget nothing more is dispatched: a task could not do a turn with it. */
const MIN_SHARE = 0.01;

/** Spent so far in this run, in USD, from the hub's usage rows (streamed turns included). */
export function spentUsd(ctx: EngineContext): number {
  return ctx.hub.usage.summary(ctx.runId, 'layer').total.costUsd;
}

function taskSpentUsd(ctx: EngineContext, taskId: string): number {
  return ctx.hub.usage.list(ctx.runId, taskId).reduce((sum, u) => sum + u.costUsd, 0);
}

/** What running tasks were promised and have not spent yet. */
function outstandingUsd(ctx: EngineContext): number {
  let out = 0;
  for (const [taskId, r] of ledger(ctx))
    out += Math.max(0, r.capUsd - (taskSpentUsd(ctx, taskId) - r.spentBefore));
  return out;
}

/** The budget neither spent nor promised to a running task. */
function unreservedUsd(ctx: EngineContext, budget: number): number {
  return budget - spentUsd(ctx) - outstandingUsd(ctx);
}

/** What one specialist attempt has cost on average so far (0 before any). */
function averageAttemptUsd(ctx: EngineContext): number {
  const rows = ctx.hub.usage.list(ctx.runId).filter((u) => u.layer === 'specialist');
  const attempts = new Set(rows.map((u) => `${u.taskId}#${u.attempt}`)).size;
  return attempts ? rows.reduce((s, u) => s + u.costUsd, 0) / attempts : 0;
}

/**
 * Whether no further task should start: what is left unreserved is less than an attempt has cost
 * so far (or than a sliver of the budget), so the run stops cleanly and can be resumed.
 */
export function budgetWouldBeExceeded(ctx: EngineContext): boolean {
  const budget = ctx.settings.budgetUsd;
  if (budget === undefined) return false;
  return unreservedUsd(ctx, budget) <= Math.max(budget * MIN_SHARE, averageAttemptUsd(ctx));
}

/** Tasks that could run now: queued or running, every dependency merged. */
function readyCount(ctx: EngineContext): number {
  const status = (id: string) => ctx.hub.tasks.get(ctx.runId, id)?.status ?? 'queued';
  return ctx.plan.tasks.filter(
    (t) => ['queued', 'running'].includes(status(t.id)) && t.dependsOn.every((d) => status(d) === 'merged'),
  ).length;
}

/**
 * Reserve a dispatched task's share of `--budget-usd`: what is neither spent nor promised, split
 * among the slots that may run at once. The task's attempts are capped by what is left of its
 * share (`capFor`), so the run overshoots by at most the turn each running agent is in when its cap
 * is reached. Returns undefined without a budget.
 */
export function reserveBudget(ctx: EngineContext, taskId: string): { capFor: () => number } | undefined {
  const budget = ctx.settings.budgetUsd;
  if (budget === undefined) return undefined;
  const l = ledger(ctx);
  const slots = Math.max(1, Math.min(ctx.settings.maxParallel, readyCount(ctx)) - l.size);
  const capUsd = Math.max(0, unreservedUsd(ctx, budget)) / slots;
  const spentBefore = taskSpentUsd(ctx, taskId);
  l.set(taskId, { capUsd, spentBefore });
  return {
    // The SDK refuses a zero cap; a tiny one stops the attempt after its first turn.
    capFor: () => Math.max(0.0001, capUsd - (taskSpentUsd(ctx, taskId) - spentBefore)),
  };
}

/** The task has stopped: its reservation is released (what it spent is in the hub). */
export function settleBudget(ctx: EngineContext, taskId: string): void {
  ledger(ctx).delete(taskId);
}
