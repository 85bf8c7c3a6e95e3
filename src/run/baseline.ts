import type { AgentDefinition } from '../domain/index.js';
import { type Plan, planSchema } from '../domain/index.js';
import type { EngineContext } from './engine-context.js';
import { runTask, type TaskRunOutcome } from './task-runner.js';

/** The task id of the single-agent baseline inside a run. */
export const BASELINE_TASK = 'baseline';

/** One agent doing the whole request alone: the comparison the article's token economics asks for. */
export const SINGLE_AGENT: AgentDefinition = {
  name: 'single-agent',
  description: 'One agent doing the whole request without orchestration (the baseline of the report)',
  tools: ['Read', 'Write', 'Edit', 'MultiEdit', 'Glob', 'Grep', 'Bash'],
  prompt:
    'You are a single coding agent. Implement the whole request yourself, across the repository, then return the structured result.',
  source: { scope: 'builtin', path: '<orchestra: single-agent baseline>' },
};

/**
 * Run the same request once more with one agent that owns everything, on its own branch
 * (`orchestra/<run>/baseline`), its usage recorded as the `baseline` layer.
 */
export async function runBaseline(ctx: EngineContext): Promise<TaskRunOutcome> {
  const instructions = [
    ctx.plan.goal,
    '',
    'Everything the orchestrated run was asked to do:',
    ...ctx.plan.tasks.map((t) => `- ${t.title}${t.instructions ? `: ${t.instructions}` : ''}`),
  ].join('\n');
  const plan: Plan = planSchema.parse({
    version: 1,
    goal: ctx.plan.goal,
    architecture: ctx.plan.architecture,
    tasks: [
      {
        id: BASELINE_TASK,
        title: 'The whole request by one agent',
        agent: SINGLE_AGENT.name,
        instructions,
        owns: ['**'],
        successCriteria: ctx.plan.tasks.flatMap((t) => t.successCriteria),
      },
    ],
  });
  ctx.hub.tasks.upsert({ runId: ctx.runId, id: BASELINE_TASK, agent: SINGLE_AGENT.name, status: 'queued' });
  return runTask({
    hub: ctx.hub,
    executor: ctx.executor,
    worktrees: ctx.worktrees,
    runId: ctx.runId,
    plan,
    taskId: BASELINE_TASK,
    agent: SINGLE_AGENT,
    layer: 'baseline',
    maxAttempts: 1,
    thresholds: ctx.config.lifecycle,
    model: ctx.settings.model ?? ctx.config.model,
    maxTurns: ctx.config.executor.maxTurns,
    ...(ctx.options.now ? { now: ctx.options.now } : {}),
  });
}
