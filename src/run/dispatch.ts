import { planWaves, tasksToStart } from '../scheduler/index.js';
import type { DispatchResult, EngineContext } from './engine-context.js';
import { budgetWouldBeExceeded, playTask, spentUsd } from './play-task.js';
import { fixLoop, inBatches, synthesize } from './synthesis.js';

const FAILED = new Set(['failed', 'terminated', 'blocked', 'skipped']);

function statusOf(ctx: EngineContext, id: string): string {
  return ctx.hub.tasks.get(ctx.runId, id)?.status ?? 'queued';
}

function stop(ctx: EngineContext, fixRounds: number): DispatchResult {
  const budget = ctx.settings.budgetUsd ?? 0;
  ctx.hub.events.append({
    runId: ctx.runId,
    type: 'budget.exceeded',
    spentUsd: spentUsd(ctx),
    budgetUsd: budget,
  });
  return {
    status: 'stopped',
    fixRounds,
    reason: `stopped before exceeding --budget-usd ${budget}: $${spentUsd(ctx).toFixed(4)} spent; resume with a higher budget: orchestra run --resume ${ctx.runId} --budget-usd <usd>`,
  };
}

/** Tasks that can never run because a dependency failed: blocked, with the reason. */
function blockDependents(ctx: EngineContext): void {
  let changed = true;
  while (changed) {
    changed = false;
    for (const t of ctx.plan.tasks) {
      const st = statusOf(ctx, t.id);
      if (st !== 'queued') continue;
      const bad = t.dependsOn.find((d) => FAILED.has(statusOf(ctx, d)));
      if (bad) {
        ctx.hub.tasks.setStatus(ctx.runId, t.id, 'blocked', `dependency ${bad} did not complete`);
        changed = true;
      }
    }
  }
}

function finalResult(ctx: EngineContext, fixRounds: number, reason?: string): DispatchResult {
  const failed = ctx.plan.tasks.filter((t) => statusOf(ctx, t.id) !== 'merged');
  if (failed.length === 0 && !reason) return { status: 'succeeded', fixRounds };
  return {
    status: 'failed',
    fixRounds,
    reason: reason ?? `not merged: ${failed.map((t) => `${t.id} (${statusOf(ctx, t.id)})`).join(', ')}`,
  };
}

/**
 * A resumed run first validates again what was merged before (on a rebased run: replays it onto
 * the new base through the merge train), so it goes on from a known state: findings become fix
 * tasks sent to their owners now, before any new task starts. Fix tasks the validator opened
 * earlier are set aside first: the new validation opens again those that still hold.
 */
async function revalidateMerged(ctx: EngineContext): Promise<DispatchResult | { fixRounds: number }> {
  const { hub, runId } = ctx;
  const done = hub.tasks
    .list(runId)
    .filter((t) => (t.status === 'merged' || t.status === 'succeeded') && t.branch);
  if (!ctx.resumed || done.length === 0) return { fixRounds: 0 };
  for (const f of hub.fixes.list(runId, { status: 'open' }))
    if (!f.source?.startsWith('change-request')) hub.fixes.setStatus(f.id, 'abandoned');
  hub.events.append({
    runId,
    type: 'note',
    text: `re-validating ${done.length} task${done.length === 1 ? '' : 's'} merged before the resume: ${done.map((t) => t.id).join(', ')}`,
  });
  const report = await synthesize(ctx);
  const fixes = await fixLoop(ctx, report);
  if (fixes.stopped) return stop(ctx, fixes.rounds);
  if (!fixes.ok) return finalResult(ctx, fixes.rounds, fixes.reason);
  return { fixRounds: fixes.rounds };
}

/**
 * The article's wave-based deployment: a wave runs in parallel within its budget, then synthesis
 * (merge, validate, fix rounds), then the next wave. Merged tasks of a resumed run are not redone.
 */
export async function dispatchStrict(ctx: EngineContext): Promise<DispatchResult> {
  const { hub, runId, settings } = ctx;
  const limits = { maxParallel: settings.maxParallel, contextBudget: settings.contextBudget };
  const { waves } = planWaves(ctx.plan.tasks, limits);
  const again = await revalidateMerged(ctx);
  if ('status' in again) return again;
  let fixRounds = again.fixRounds;
  for (const wave of waves) {
    blockDependents(ctx);
    const pending = wave.taskIds.filter((id) => statusOf(ctx, id) !== 'merged');
    if (pending.length === 0) continue;
    const toRun = pending.filter((id) => statusOf(ctx, id) === 'queued');
    for (const id of wave.taskIds) hub.tasks.upsert({ runId, id, wave: wave.index });
    hub.events.append({
      runId,
      type: 'wave.started',
      wave: wave.index,
      tasks: wave.taskIds,
      estimatedTokens: wave.tokens,
      budget: settings.contextBudget,
    });
    let stopped = false;
    await inBatches(toRun, settings.maxParallel, async (id) => {
      if (stopped || budgetWouldBeExceeded(ctx)) {
        stopped = true;
        return;
      }
      await playTask(ctx, id);
    });
    if (stopped) return stop(ctx, fixRounds);
    const report = await synthesize(ctx);
    const fixes = await fixLoop(ctx, report);
    fixRounds += fixes.rounds;
    if (fixes.stopped) return stop(ctx, fixRounds);
    hub.events.append({
      runId,
      type: 'wave.finished',
      wave: wave.index,
      merged: wave.taskIds.filter((id) => statusOf(ctx, id) === 'merged'),
      failed: wave.taskIds.filter((id) => statusOf(ctx, id) !== 'merged'),
    });
    if (!fixes.ok) return finalResult(ctx, fixRounds, fixes.reason);
  }
  blockDependents(ctx);
  return finalResult(ctx, fixRounds);
}

/**
 * Dynamic dispatch: each task starts as soon as its dependencies are merged and the limits allow;
 * each completed task is merged and validated at once; fix rounds run when nothing else can start.
 */
export async function dispatchDynamic(ctx: EngineContext): Promise<DispatchResult> {
  const { settings } = ctx;
  const running = new Map<string, Promise<void>>();
  let stopped = false;
  const again = await revalidateMerged(ctx);
  if ('status' in again) return again;
  let fixRounds = again.fixRounds;
  for (;;) {
    blockDependents(ctx);
    const merged = ctx.plan.tasks.filter((t) => statusOf(ctx, t.id) === 'merged').map((t) => t.id);
    const startable = tasksToStart(
      ctx.plan.tasks.filter((t) => !FAILED.has(statusOf(ctx, t.id))),
      {
        finished: merged,
        running: [...running.keys()],
        maxParallel: settings.maxParallel,
        contextBudget: settings.contextBudget,
      },
    ).filter((id) => statusOf(ctx, id) === 'queued');
    for (const id of startable) {
      if (budgetWouldBeExceeded(ctx)) {
        stopped = true;
        break;
      }
      ctx.hub.tasks.setStatus(ctx.runId, id, 'running');
      running.set(
        id,
        playTask(ctx, id)
          .then(() => synthesize(ctx))
          .then(() => undefined)
          .finally(() => running.delete(id)),
      );
    }
    if (running.size === 0) {
      if (stopped) return stop(ctx, fixRounds);
      const open = ctx.hub.fixes.list(ctx.runId, { status: 'open' });
      if (open.length === 0) break;
      const fixes = await fixLoop(ctx, ctx.lastReport);
      fixRounds += fixes.rounds;
      if (fixes.stopped) return stop(ctx, fixRounds);
      if (!fixes.ok) return finalResult(ctx, fixRounds, fixes.reason);
      continue;
    }
    await Promise.race(running.values());
  }
  if (ctx.lastReport && !ctx.lastReport.ok)
    return finalResult(ctx, fixRounds, 'the integration branch has errors; see orchestra report');
  return finalResult(ctx, fixRounds);
}
