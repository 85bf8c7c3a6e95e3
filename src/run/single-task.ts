import { loadAgents } from '../agents/index.js';
import { loadConfig } from '../config/index.js';
import type { Contract, Plan } from '../domain/index.js';
import { globSyntaxProblem, planSchema } from '../domain/index.js';
import { UserError } from '../errors.js';
import { createClaudeCodeExecutor, type Executor, newRunId, openRunWorktrees } from '../executor/index.js';
import { openRepo } from '../git/index.js';
import { markRunActive } from '../guard/index.js';
import { hubPath, openHub } from '../hub/index.js';
import type { SandboxDetection } from '../sandbox/index.js';
import { prepareWorktree } from '../workspace/index.js';
import { resolveRunSandbox, sandboxedSetupRunner } from './sandbox-setup.js';
import { runTask, type TaskRunOutcome } from './task-runner.js';

/** What `orchestra task run` asks for. */
export interface SingleTaskOptions {
  cwd: string;
  agent: string;
  owns: string[];
  reads?: string[];
  /** `hub:interfaces`: give the task the latest contracts recorded in the hub. */
  contextFrom?: string[];
  instructions: string;
  model?: string;
  maxTurns?: number;
  maxBudgetUsd?: number;
  /** The executor (default: Claude Code with the process environment). */
  executor?: Executor;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  now?: () => Date;
  onEvent?: Parameters<typeof runTask>[0]['onEvent'];
  /** Run the agent's commands without the OS sandbox (`--unsandboxed`). */
  unsandboxed?: boolean;
  /** Seam: what `detectSandbox` would say. */
  sandboxDetection?: SandboxDetection;
}

const CONTEXT_SOURCES = ['hub:interfaces'] as const;

/**
 * Run one specialist on one task in the current repository, as a run of one task: its own worktree
 * and branch, ownership enforced, lifecycle monitored, everything recorded in the hub.
 */
export async function runSingleTask(o: SingleTaskOptions): Promise<TaskRunOutcome> {
  if (o.owns.length === 0)
    throw new UserError('no-ownership', 'give the task at least one --owns <glob>: the paths it may write');
  for (const c of o.contextFrom ?? []) {
    if (!(CONTEXT_SOURCES as readonly string[]).includes(c))
      throw new UserError(
        'bad-context-source',
        `unknown --context-from "${c}"; supported: ${CONTEXT_SOURCES.join(', ')}`,
      );
  }
  for (const [flag, globs] of [
    ['--owns', o.owns],
    ['--reads', o.reads ?? []],
  ] as const) {
    for (const g of globs) {
      const why = globSyntaxProblem(g);
      if (why) throw new UserError('glob-syntax', `${flag} "${g}": ${why}`);
    }
  }
  const repo = await openRepo(o.cwd, o.env ? { env: o.env } : {});
  const config = loadConfig(repo.root);
  const loaded = loadAgents({ cwd: o.cwd, ...(o.homeDir ? { homeDir: o.homeDir } : {}) });
  const agent = loaded.agents.find((a) => a.name === o.agent);
  if (!agent) {
    throw new UserError(
      'unknown-agent',
      `no agent named "${o.agent}"; available: ${loaded.agents.map((a) => a.name).join(', ')} (see orchestra agents list)`,
    );
  }
  const hub = openHub({ path: hubPath(repo.root) });
  try {
    const runId = newRunId(o.now ? { now: o.now } : {});
    const contracts = o.contextFrom?.includes('hub:interfaces') ? latestInterfaces(hub) : [];
    const plan: Plan = planSchema.parse({
      version: 1,
      goal: o.instructions,
      architecture: { decisions: [], constraints: [], excludedDependencies: config.excludedDependencies },
      contracts: contracts.map((c) => ({ ...c, owner: 'hub' })),
      tasks: [
        {
          id: 'task',
          title: o.instructions.split('\n')[0]?.slice(0, 80) || 'task',
          agent: agent.name,
          instructions: o.instructions,
          owns: o.owns,
          reads: o.reads ?? [],
          consumes: contracts.map((c) => c.id),
        },
      ],
    });
    const sandbox = resolveRunSandbox({
      plan,
      agents: new Map([[agent.name, agent]]),
      unsandboxed: o.unsandboxed ?? false,
      network: config.sandbox.network,
      narrowToOwned: config.sandbox.narrowToOwned,
      passThrough: config.env.passThrough,
      readOnly: [repo.root, repo.commonDir],
      ...(o.sandboxDetection ? { detection: o.sandboxDetection } : {}),
    });
    const worktrees = await openRunWorktrees({ cwd: repo.root, runId, ...(o.env ? { env: o.env } : {}) });
    hub.runs.create({ id: runId, goal: plan.goal, repo: repo.root, baseCommit: worktrees.base, plan });
    hub.tasks.upsert({ runId, id: 'task', agent: agent.name, status: 'queued' });
    hub.events.append({ runId, type: 'note', text: sandbox.summary });
    const executor =
      o.executor ??
      createClaudeCodeExecutor({
        settingSources: config.executor.settingSources,
        hungAfterMs: config.lifecycle.hungAfterMs,
        sandbox: sandbox.agent,
        envPassThrough: sandbox.passThrough,
        ...(o.env ? { env: o.env } : {}),
      });
    const maxBudgetUsd = o.maxBudgetUsd ?? config.executor.maxBudgetUsd;
    const inactive = markRunActive(repo.root, runId); // the collision guard's sign that leases may be live
    const out = await runTask({
      hub,
      executor,
      worktrees,
      runId,
      plan,
      taskId: 'task',
      agent,
      thresholds: config.lifecycle,
      maxAttempts: config.lifecycle.maxAttempts,
      model: o.model ?? agent.model ?? config.model,
      maxTurns: o.maxTurns ?? config.executor.maxTurns,
      ...(maxBudgetUsd ? { maxBudgetUsd } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
      ...(o.now ? { now: o.now } : {}),
      // Its worktree can run the project's commands too (linked packages or the setup command).
      prepare: (path) =>
        prepareWorktree({
          root: repo.root,
          path,
          config: config.worktree,
          env: { ...process.env, ...o.env },
          run: sandboxedSetupRunner(sandbox.commands),
        }),
    }).finally(inactive);
    hub.runs.setStatus(runId, out.status === 'succeeded' ? 'succeeded' : 'failed');
    // The branch is the deliverable: the worktree goes, the branch is the user's to review.
    await worktrees.handOver('task');
    await worktrees.finish();
    return out;
  } finally {
    hub.close();
  }
}

/** The latest version of every contract recorded in the hub's most recent run that has contracts. */
function latestInterfaces(hub: ReturnType<typeof openHub>): Contract[] {
  for (const run of hub.runs.list()) {
    const list = hub.contracts.list(run.id);
    if (list.length > 0)
      return list.map((c) => ({ id: c.id, kind: c.kind, owner: c.owner, definition: c.definition }));
  }
  return [];
}
