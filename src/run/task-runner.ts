import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentDefinition, Plan, Task, TaskResult } from '../domain/index.js';
import { type EventPayload, type Usage, usageSchema } from '../domain/index.js';
import type { RunWorktrees } from '../executor/index.js';
import {
  addUsage,
  type Denial,
  type Execution,
  type ExecutionOutcome,
  type ExecutionStatus,
  type Executor,
  emptyUsage,
} from '../executor/index.js';
import { git } from '../git/index.js';
import { buildPacket, estimateCostUsd, type Hub, loadProjectMemory } from '../hub/index.js';
import { createLifecycleMonitor, type LifecycleThresholds, summarizeAttempt } from '../lifecycle/index.js';
import type { PreparedWorktree } from '../workspace/index.js';
import type { TaskStart } from './start-point.js';
import { openTaskWorkspace } from './task-workspace.js';

/** How one attempt of a task ended. */
export interface AttemptReport {
  attempt: number;
  status: ExecutionStatus;
  reason?: string;
  usage: Usage;
  costUsd: number;
  numTurns: number;
  /** Set when the lifecycle monitor stopped the attempt and a handoff was stored. */
  handoffStored: boolean;
}

/** What happened to a task over all its attempts. */
export interface TaskRunOutcome {
  runId: string;
  taskId: string;
  status: 'succeeded' | 'failed' | 'terminated';
  branch: string;
  commit: string | null;
  /**
   * Whether this call changed the task's tree (its branch's tree after the run differs from the
   * tree it started from, dependencies' newer work already merged in): a fix attempt that changed
   * nothing has not acted on its fixes, whatever it says.
   */
  treeChanged: boolean;
  filesChanged: string[];
  denied: Denial[];
  /** Files changed outside the task's ownership (found by the scope check on the branch diff). */
  scopeViolations: string[];
  usage: Usage;
  costUsd: number;
  result?: TaskResult;
  /** Why the task did not succeed, or why its last attempt was stopped. */
  reason?: string;
  attempts: AttemptReport[];
}

/** Everything one task needs to run; what touches the world is passed in. */
export interface TaskRunnerSettings {
  hub: Hub;
  executor: Executor;
  worktrees: RunWorktrees;
  runId: string;
  plan: Plan;
  taskId: string;
  agent: AgentDefinition;
  /** Owner lookup for deny messages (which task owns a path). */
  ownerOf?: (path: string) => string | undefined;
  thresholds?: Partial<LifecycleThresholds>;
  /** Attempts (first + respawns) before giving up; default 3 (config lifecycle.maxAttempts). */
  maxAttempts?: number;
  model?: string;
  maxTurns?: number;
  /** A cap per attempt, or a function giving each attempt's cap when it starts (the run's budget). */
  maxBudgetUsd?: number | (() => number | undefined);
  packetBudget?: number;
  /** The model's context window in tokens (default from the model id). */
  contextWindow?: number;
  env?: Readonly<Record<string, string>>;
  /** MCP servers of each attempt (the hub's tools: `hubMcpServers`), built fresh per attempt. */
  mcpServers?: (taskId: string, cwd: string) => Readonly<Record<string, unknown>>;
  /** Tokens of the full context the task would otherwise need, for the packet.built event. */
  fullContextTokens?: (cwd: string) => Promise<number | undefined>;
  /** The layer its usage counts for (default: specialist; the single-agent baseline: baseline). */
  layer?: 'specialist' | 'baseline';
  /**
   * Where the task starts when its branch does not exist yet (default: the run's base), and what
   * its dependencies' branches are now: a reused branch that lacks them gets them merged in.
   */
  start?: () => Promise<TaskStart & { problem?: string }>;
  /** Make a new worktree ready to run the project's commands (link or install its packages). */
  prepare?: (path: string) => Promise<PreparedWorktree>;
  /** Called for every event of the task, after it is stored (progress views). */
  onEvent?: (event: EventPayload, attempt: number) => void;
  now?: () => Date;
}

const WIP_REASONS = new Set(['context', 'failures', 'loop']);

/**
 * Run one task as a specialist: its worktree and lease, its packet, attempts watched by the
 * lifecycle monitor (a stopped attempt leaves a handoff and a fresh agent continues from it), its
 * work committed on its branch, and the authoritative scope check before it is offered for merge.
 */
export async function runTask(s: TaskRunnerSettings): Promise<TaskRunOutcome> {
  const task = s.plan.tasks.find((t) => t.id === s.taskId);
  if (!task) throw new Error(`task ${s.taskId} is not in the plan`);
  const { hub, runId } = s;
  const maxAttempts = s.maxAttempts ?? 3;
  const ws = await openTaskWorkspace(s, task);
  const { wt } = ws;

  const lease = hub.leases.acquire({ runId, taskId: task.id, patterns: task.owns });
  if (!lease.ok) {
    hub.tasks.setStatus(runId, task.id, 'failed', lease.message);
    return base(s, task, wt.branch, { status: 'failed', reason: lease.message });
  }

  const out = base(s, task, wt.branch, { status: 'failed' });
  const treeBefore = await branchTree(wt.path);
  for (let n = 1; n <= maxAttempts; n++) {
    const record = hub.tasks.startAttempt(runId, task.id);
    const attempt = record.attempts;
    const report = await runAttempt(s, task, wt.path, attempt, {
      mayRespawn: n < maxAttempts,
      respawned: n > 1,
      dependencies: ws.dependencies,
    });
    out.attempts.push(report.summary);
    out.usage = addUsage(out.usage, report.summary.usage);
    out.costUsd += report.summary.costUsd;
    out.denied.push(...report.outcome.denials);
    if (report.outcome.result) out.result = report.outcome.result;
    const committed = await s.worktrees.commit(task.id, { title: task.title, agent: s.agent.name }, ws.start);
    out.commit = committed.commit ?? out.commit;
    out.filesChanged = committed.files.map((f) => f.path);
    if (report.summary.handoffStored) continue; // a fresh agent continues from the handoff
    finish(out, report.outcome);
    break;
  }
  out.treeChanged = (await branchTree(wt.path)) !== treeBefore;
  if (out.status === 'succeeded') {
    const scope = await s.worktrees.checkScope(task.id, task.owns, ws.start);
    if (!scope.ok) {
      out.scopeViolations = scope.violations.map((v) => v.path);
      out.status = 'failed';
      out.reason = `scope: changed outside its ownership: ${out.scopeViolations.join(', ')}`;
    }
  } else if (out.attempts.at(-1)?.handoffStored) {
    out.status = 'terminated';
    out.reason = `gave up after ${maxAttempts} attempts; last: ${out.attempts.at(-1)?.reason ?? 'stopped'}`;
  }
  const crashed = out.attempts.at(-1)?.status;
  if (crashed === 'crashed' || crashed === 'hung') await s.worktrees.remove(task.id, { keepBranch: true });
  if (out.status === 'succeeded') {
    hub.tasks.upsert({ runId, id: task.id, status: 'succeeded', result: out.result ?? null, reason: null });
    hub.events.append({
      runId,
      taskId: task.id,
      type: 'task.finished',
      attempt: lastAttempt(out),
      ...(out.result ? { summary: out.result.summary } : {}),
    });
  } else {
    hub.tasks.setStatus(runId, task.id, out.status, out.reason ?? 'failed');
    hub.events.append({
      runId,
      taskId: task.id,
      type: 'task.failed',
      attempt: lastAttempt(out),
      reason: out.reason ?? 'failed',
    });
  }
  return out;
}

/** What the run's base check found failing (empty until it has run: the first wave starts beside it). */
function alreadyFailing(hub: Hub, runId: string): string[] {
  const base = hub.events.list({ runId, type: 'validation.base' }).at(-1);
  return base?.type === 'validation.base' ? base.failing : [];
}

/** The tree of the worktree's HEAD (its branch), undefined when it has none. */
async function branchTree(cwd: string): Promise<string | undefined> {
  const r = await git(['rev-parse', '--verify', '--quiet', 'HEAD^{tree}'], { cwd, allowFailure: true }).catch(
    () => undefined,
  );
  return r?.code === 0 ? r.stdout.trim() : undefined;
}

/** The number of the task's last attempt over the whole run (a fix attempt's own number), 0 for none. */
function lastAttempt(out: TaskRunOutcome): number {
  return out.attempts.at(-1)?.attempt ?? 0;
}

function base(
  s: TaskRunnerSettings,
  task: Task,
  branch: string,
  o: { status: TaskRunOutcome['status']; reason?: string },
): TaskRunOutcome {
  return {
    runId: s.runId,
    taskId: task.id,
    status: o.status,
    branch,
    commit: null,
    treeChanged: false,
    filesChanged: [],
    denied: [],
    scopeViolations: [],
    usage: emptyUsage(),
    costUsd: 0,
    attempts: [],
    ...(o.reason ? { reason: o.reason } : {}),
  };
}

function finish(out: TaskRunOutcome, o: ExecutionOutcome): void {
  if (o.status === 'succeeded') {
    out.status = 'succeeded';
    delete out.reason;
  } else {
    out.status = o.status === 'terminated' ? 'terminated' : 'failed';
    out.reason = o.reason ?? o.status;
  }
}

async function runAttempt(
  s: TaskRunnerSettings,
  task: Task,
  cwd: string,
  attempt: number,
  {
    mayRespawn,
    respawned,
    dependencies,
  }: { mayRespawn: boolean; respawned: boolean; dependencies: readonly string[] | undefined },
): Promise<{ outcome: ExecutionOutcome; summary: AttemptReport }> {
  const { hub, runId } = s;
  hub.events.append({ runId, taskId: task.id, type: 'task.started', attempt, agent: s.agent.name });
  const packet = await buildPacket({
    plan: s.plan,
    taskId: task.id,
    agent: s.agent,
    hub: { hub, runId },
    ...(s.packetBudget ? { budget: s.packetBudget } : {}),
    ...(dependencies ? { workspace: { dependencies, earlier: attempt > 1 || respawned } } : {}),
    preexisting: alreadyFailing(hub, runId),
    // The project's own instructions, as Claude Code would load them in this worktree.
    memory: loadProjectMemory({ root: cwd }),
  });
  const full = await s.fullContextTokens?.(cwd).catch(() => undefined);
  hub.events.append({
    runId,
    taskId: task.id,
    type: 'packet.built',
    attempt,
    tokens: packet.tokens,
    budget: packet.budget,
    omitted: packet.omitted.map((x) => x.name),
    ...(full === undefined ? {} : { fullContextTokens: full }),
  });
  const monitor = createLifecycleMonitor({
    ...(s.thresholds ? { thresholds: s.thresholds } : {}),
    ...(s.contextWindow ? { contextWindow: s.contextWindow } : {}),
    ...(s.model ? { model: s.model } : {}),
    ...(s.now ? { now: s.now } : {}),
  });
  const events: EventPayload[] = [];
  let execution: Execution | undefined;
  let stopReason: string | undefined;
  const layer = s.layer ?? 'specialist';
  const model = s.model ?? s.agent.model ?? null;
  const onEvent = (e: EventPayload) => {
    events.push(e);
    hub.events.append({ runId, taskId: task.id, ...e });
    // Each model turn is accounted as it streams: a killed attempt's spending stays in the hub.
    if (e.type === 'usage') {
      const u = usageSchema.parse(e.usage);
      const turnModel = e.model ?? model;
      hub.usage.add({
        runId,
        taskId: task.id,
        attempt,
        layer,
        model: turnModel,
        ...u,
        costUsd: estimateCostUsd(turnModel, u),
      });
    }
    s.onEvent?.(e, attempt);
    const v = monitor.observe(e);
    if (v.action === 'terminate' && stopReason === undefined) {
      stopReason = `${v.reason}: ${v.detail}`;
      void execution?.terminate(stopReason);
    }
  };
  const cap = typeof s.maxBudgetUsd === 'function' ? s.maxBudgetUsd() : s.maxBudgetUsd;
  execution = s.executor.start(
    {
      runId,
      taskId: task.id,
      attempt,
      agent: s.agent,
      packet: packet.text,
      prompt: promptFor(task, {
        respawned,
        fixes: hub.fixes.list(runId, { ownerTask: task.id, status: 'open' }).length,
      }),
      cwd,
      owns: task.owns,
      ...(s.ownerOf ? { ownerOf: s.ownerOf } : {}),
      ...(s.model ? { model: s.model } : {}),
      ...(s.maxTurns ? { maxTurns: s.maxTurns } : {}),
      ...(cap ? { maxBudgetUsd: cap } : {}),
      ...(s.env ? { env: s.env } : {}),
      ...(s.mcpServers ? { mcpServers: s.mcpServers(task.id, cwd) } : {}),
    },
    { onEvent },
  );
  if (stopReason !== undefined) void execution.terminate(stopReason);
  const outcome = await execution.outcome;
  // The binary's own totals replace the streamed estimates when it reported them.
  hub.usage.settleAttempt(
    { runId, taskId: task.id, attempt, layer },
    { model, ...outcome.usage, costUsd: outcome.costUsd },
    outcome.numTurns > 0 || outcome.costUsd > 0,
  );
  const verdict = monitor.verdict();
  let handoffStored = false;
  if (
    outcome.status === 'terminated' &&
    verdict.action === 'terminate' &&
    verdict.reason &&
    WIP_REASONS.has(verdict.reason)
  ) {
    hub.events.append({
      runId,
      taskId: task.id,
      type: 'task.terminated',
      attempt,
      reason: verdict.reason,
      detail: verdict.detail,
    });
    if (mayRespawn) {
      const summary = await summarizeAttempt({
        events,
        task,
        verdict,
        ...(outcome.result ? { partialResult: outcome.result } : {}),
        readFile: (p) => readFile(join(cwd, p), 'utf8').catch(() => undefined),
        from: `${s.agent.name}#${attempt}`,
        to: `${s.agent.name}#${attempt + 1}`,
        ...(s.now ? { now: s.now } : {}),
      });
      hub.handoffs.put(runId, task.id, summary.handoff);
      hub.events.append({
        runId,
        taskId: task.id,
        type: 'handoff',
        from: summary.handoff.from,
        to: summary.handoff.to,
      });
      handoffStored = true;
    }
  }
  const reason = stopReason ?? outcome.reason;
  return {
    outcome,
    summary: {
      attempt,
      status: outcome.status,
      ...(reason ? { reason } : {}),
      usage: outcome.usage,
      costUsd: outcome.costUsd,
      numTurns: outcome.numTurns,
      handoffStored,
    },
  };
}

/**
 * The first user turn only says to begin: the task, its instructions and any fixes are in the
 * system prompt, once.
 */
export function promptFor(task: Task, o: { respawned: boolean; fixes: number }): string {
  if (o.respawned) return `Continue task ${task.id} from where the previous attempt stopped.`;
  if (o.fixes > 0) return `Begin task ${task.id}: fix first, then finish.`;
  return `Begin task ${task.id}.`;
}
