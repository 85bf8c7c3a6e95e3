import { sandboxedRunner, type ValidationReport, validateRun } from '../validator/index.js';
import type { EngineContext } from './engine-context.js';
import { couldNotAct, escalationReason, unownedReason } from './fix-escalation.js';
import { budgetWouldBeExceeded, playTask } from './play-task.js';
import { checkRunBase, criteriaCacheOf } from './synthesis-base.js';

export { baseForApproval, checkRunBase } from './synthesis-base.js';

/** Validation runs one at a time: they share the integration worktree. */
const queues = new WeakMap<EngineContext, Promise<unknown>>();

/**
 * Merge every completed task into the integration branch (rebuilt from the base, one merge at a
 * time) and validate it against what already failed on the base; merged tasks are marked, new
 * findings become fix tasks. The criteria that run are those of the tasks this validation brings
 * in (new or fixed), and all of them once no task is left to run (the final pass).
 */
export function synthesize(ctx: EngineContext): Promise<ValidationReport | undefined> {
  const previous = queues.get(ctx) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => validateOnce(ctx));
  queues.set(ctx, next);
  return next;
}

async function validateOnce(ctx: EngineContext): Promise<ValidationReport | undefined> {
  const { hub, runId } = ctx;
  const done = hub.tasks
    .list(runId)
    .filter((t) => (t.status === 'succeeded' || t.status === 'merged') && t.branch);
  if (done.length === 0) return undefined;
  const baseCheck = await checkRunBase(ctx);
  const status = (id: string) => hub.tasks.get(runId, id)?.status ?? 'queued';
  const final = ctx.plan.tasks.every((t) => status(t.id) !== 'queued' && status(t.id) !== 'running');
  const fresh = done.filter((t) => t.status === 'succeeded').map((t) => t.id);
  const before = new Set(hub.fixes.list(runId).map((f) => f.id));
  const report = await validateRun({
    cwd: ctx.repoRoot,
    runId,
    hub,
    excludedDependencies: ctx.config.excludedDependencies,
    baseCheck,
    criteriaCache: criteriaCacheOf(ctx),
    ...(final ? {} : { criteriaOf: fresh }),
    runner: sandboxedRunner(ctx.sandbox.commands),
    packages: ctx.config.worktree.packages,
  });
  ctx.lastReport = report;
  const merged = new Set(report.merges.filter((m) => m.ok).map((m) => m.taskId));
  for (const t of done) {
    if (merged.has(t.id) && t.status !== 'merged') hub.tasks.setStatus(runId, t.id, 'merged');
    // A task whose merge conflicted is no longer merged: its fix task brings it back.
    if (!merged.has(t.id) && t.status === 'merged')
      hub.tasks.setStatus(runId, t.id, 'succeeded', 'merge conflicted');
  }
  // New fix tasks go out in the next fix round.
  const round = hub.events.list({ runId, type: 'fix.round' }).length + 1;
  for (const f of hub.fixes.list(runId)) {
    if (before.has(f.id)) continue;
    hub.events.append({
      runId,
      taskId: f.ownerTask,
      type: 'fix.created',
      fixId: f.id,
      owner: f.ownerTask,
      round,
      description: f.description,
    });
  }
  return report;
}

/** The outcome of the fix loop. */
export interface FixLoopResult {
  ok: boolean;
  rounds: number;
  stopped?: boolean;
  reason?: string;
}

/**
 * Send open fix tasks to their owners and validate again, until the integration branch is green
 * or `fixRounds` rounds have not converged. A new failure in files no task owns stops the loop
 * for the user; a fix its owner did not act on (its tree unchanged, whatever it said) is not sent
 * again but escalated, with the reason the owner's attempt gave.
 */
export async function fixLoop(
  ctx: EngineContext,
  report: ValidationReport | undefined,
): Promise<FixLoopResult> {
  const { hub, runId } = ctx;
  let current = report;
  for (let round = 1; ; round++) {
    const open = hub.fixes.list(runId, { status: 'open' });
    const ok = current === undefined || current.ok;
    const unowned = (current?.findings ?? []).filter((f) => f.severity === 'error' && f.taskId === undefined);
    if (unowned.length > 0) return { ok: false, rounds: round - 1, reason: unownedReason(ctx, unowned) };
    if (open.length === 0) {
      if (ok) return { ok: true, rounds: round - 1 };
      return {
        ok: false,
        rounds: round - 1,
        reason:
          escalationReason(ctx) ?? 'the integration branch has errors no task can fix; see orchestra report',
      };
    }
    if (round > ctx.settings.fixRounds) {
      return {
        ok: false,
        rounds: round - 1,
        reason: `the fix loop did not converge after ${ctx.settings.fixRounds} round${ctx.settings.fixRounds === 1 ? '' : 's'}: ${open.length} fix task${open.length === 1 ? '' : 's'} still open (${[...new Set(open.map((f) => f.ownerTask))].join(', ')})`,
      };
    }
    if (budgetWouldBeExceeded(ctx)) return { ok: false, rounds: round - 1, stopped: true, reason: 'budget' };
    const owners = [...new Set(open.map((f) => f.ownerTask))].filter((id) =>
      ctx.plan.tasks.some((t) => t.id === id),
    );
    hub.events.append({
      runId,
      type: 'fix.round',
      round: hub.events.list({ runId, type: 'fix.round' }).length + 1,
      owners,
      fixes: open.length,
    });
    await inBatches(owners, ctx.settings.maxParallel, async (owner) => {
      const sent = open.filter((f) => f.ownerTask === owner);
      const out = await playTask(ctx, owner);
      // An attempt that left the tree as it was did not act on its fixes, whatever it says:
      // sending them again would cost another session for the same answer. Hand them up instead.
      const why = couldNotAct(out, sent);
      if (why === undefined) return;
      for (const f of sent) hub.fixes.setStatus(f.id, 'escalated');
      hub.events.append({
        runId,
        taskId: owner,
        type: 'fix.escalated',
        fixIds: sent.map((f) => f.id),
        owner,
        to: 'user',
        reason: why,
      });
    });
    // Fixes of tasks no longer in the plan cannot be dispatched: give them up, visibly.
    for (const f of open.filter((x) => !owners.includes(x.ownerTask))) hub.fixes.setStatus(f.id, 'abandoned');
    current = await synthesize(ctx);
  }
}

/** Run `fn` over `items`, at most `limit` at a time. */
export async function inBatches<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  const workers = Array.from({ length: Math.max(1, Math.min(limit, queue.length)) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  });
  await Promise.all(workers);
}
