import { findMatchingGlob } from '../domain/index.js';
import { loadTokenizer } from '../hub/index.js';
import { prepareWorktree } from '../workspace/index.js';
import { reserveBudget, settleBudget } from './budget.js';
import type { EngineContext } from './engine-context.js';
import { measureFullContext } from './full-context.js';
import { buildCompletionHandoff, gitFileReader, storeCompletionHandoff } from './handoff.js';
import { hubMcpServers } from './hub-tools.js';
import { sandboxedSetupRunner } from './sandbox-setup.js';
import { taskStart } from './start-point.js';
import { runTask, type TaskRunOutcome } from './task-runner.js';

export { budgetWouldBeExceeded, spentUsd } from './budget.js';

/** Which task owns a path, for deny messages the model can act on. */
export function ownerOf(ctx: EngineContext, path: string): string | undefined {
  return ctx.plan.tasks.find((t) => findMatchingGlob(path, t.owns))?.id;
}

/** Run one task (first run, resume, or a fix attempt) as a specialist with the run's settings. */
export async function playTask(ctx: EngineContext, taskId: string): Promise<TaskRunOutcome> {
  const task = ctx.plan.tasks.find((t) => t.id === taskId);
  const agent = task ? ctx.agents.get(task.agent) : undefined;
  if (!task || !agent) throw new Error(`task ${taskId} or its agent is missing`);
  const { settings, config } = ctx;
  // One budget for the run: this dispatch reserves its share; each attempt is capped by what is left of it.
  const reservation = reserveBudget(ctx, taskId);
  const configCap = config.executor.maxBudgetUsd;
  const maxBudgetUsd = reservation
    ? () => Math.min(reservation.capFor(), configCap ?? Number.POSITIVE_INFINITY)
    : configCap;
  const model = settings.model ?? (agent.model && agent.model !== 'inherit' ? agent.model : config.model);
  // Fixes in the packet (from the validator or a change request) are this attempt's to resolve.
  const fixes = ctx.hub.fixes.list(ctx.runId, { ownerTask: taskId, status: 'open' });
  const out = await runTask({
    hub: ctx.hub,
    executor: ctx.executor,
    worktrees: ctx.worktrees,
    runId: ctx.runId,
    plan: ctx.plan,
    taskId,
    agent,
    ownerOf: (p) => ownerOf(ctx, p),
    thresholds: config.lifecycle,
    maxAttempts: config.lifecycle.maxAttempts,
    model,
    maxTurns: config.executor.maxTurns,
    ...(maxBudgetUsd === undefined ? {} : { maxBudgetUsd }),
    mcpServers: (id, cwd) =>
      hubMcpServers({ hub: ctx.hub, runId: ctx.runId, taskId: id, plan: ctx.plan, agent, worktree: cwd }),
    // Like for like: the packet carries the agent's role, so the full context counts it too.
    fullContextTokens: async (cwd) =>
      (await measureFullContext({ root: cwd, task, plan: ctx.plan, hub: ctx.hub, runId: ctx.runId })).tokens +
      (await loadTokenizer()).count(agent.prompt),
    start: () =>
      taskStart({
        repoRoot: ctx.repoRoot,
        hub: ctx.hub,
        runId: ctx.runId,
        plan: ctx.plan,
        task,
        base: ctx.worktrees.base,
        ...(ctx.options.env ? { env: ctx.options.env } : {}),
      }),
    prepare: (path) =>
      prepareWorktree({
        root: ctx.repoRoot,
        path,
        config: config.worktree,
        ...(ctx.options.env ? { env: { ...process.env, ...ctx.options.env } } : {}),
        run: sandboxedSetupRunner(ctx.sandbox.commands),
      }),
    ...(ctx.options.now ? { now: ctx.options.now } : {}),
  }).finally(() => settleBudget(ctx, taskId));
  if (out.status === 'succeeded') {
    const start = ctx.hub.tasks.get(ctx.runId, taskId)?.startCommit ?? ctx.worktrees.base;
    // The handoff is built from facts (the real diff, what it exports), for every dependent's packet.
    const handoff = await buildCompletionHandoff({
      task,
      plan: ctx.plan,
      agentName: agent.name,
      result: out.result,
      changes: await ctx.worktrees.changes(taskId, start),
      readFile: gitFileReader({ cwd: ctx.repoRoot, ref: out.branch }),
      readBaseFile: gitFileReader({ cwd: ctx.repoRoot, ref: start }),
      ...(ctx.options.now ? { now: ctx.options.now } : {}),
    });
    storeCompletionHandoff(ctx.hub, ctx.runId, taskId, handoff);
    // Resolved as far as the owner can tell, when it changed something; the next validation
    // reopens what is still wrong. An attempt that changed nothing resolved nothing: the fix loop
    // escalates its fixes with the attempt's reason.
    if (out.treeChanged) for (const f of fixes) ctx.hub.fixes.setStatus(f.id, 'resolved');
  }
  return out;
}
