import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PlanInput, planSchema } from '../../src/domain/plan.js';
import { type EventInput, type Hub, openHub } from '../../src/hub/index.js';

/** A clock tests move by hand. */
export function manualClock(start = '2026-01-02T03:04:05.000Z') {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}

/** The plan of the fixture run: three tasks in two waves. */
export const FIXTURE_PLAN = planSchema.parse({
  version: 1,
  goal: 'Real-time collaborative editing',
  architecture: { decisions: [{ id: 'transport', decision: 'WebSocket over HTTP/1.1' }] },
  contracts: [
    {
      id: 'operation',
      kind: 'typescript',
      owner: 'api',
      definition: 'export interface Operation { userId: string; op: string }',
    },
  ],
  tasks: [
    {
      id: 'api',
      title: 'WebSocket server',
      agent: 'backend-specialist',
      owns: ['src/api/**'],
      reads: ['src/shared/**'],
      provides: ['operation'],
    },
    { id: 'db', title: 'Storage', agent: 'database-specialist', owns: ['src/db/**'] },
    {
      id: 'web',
      title: 'Editor UI',
      agent: 'frontend-specialist',
      owns: ['src/web/**'],
      dependsOn: ['api'],
      consumes: ['operation'],
    },
  ],
} satisfies PlanInput);

/**
 * A hub holding one finished run recorded the way the engine records it: orchestrator usage, two
 * waves, a terminated and respawned attempt, a failed task, merges, a finding, a conflict, a fix;
 * with `baseline`, also a single-agent baseline. Every event is one second after the previous.
 */
export function fillFixtureRun(
  hub: Hub,
  clock: ReturnType<typeof manualClock>,
  options: { runId?: string; baseline?: boolean } = {},
) {
  const runId = options.runId ?? 'run-1';
  const ev = (e: EventInput) => {
    clock.advance(1000);
    return hub.events.append({ ...e, runId } as EventInput);
  };
  hub.runs.create({
    id: runId,
    goal: FIXTURE_PLAN.goal,
    repo: '/repo',
    baseCommit: 'abc123',
    plan: FIXTURE_PLAN,
  });
  hub.usage.add({
    runId,
    layer: 'orchestrator',
    model: 'opus',
    inputTokens: 4000,
    outputTokens: 1000,
    cacheReadInputTokens: 500,
    costUsd: 0.03,
  });
  hub.runs.setStatus(runId, 'running');
  ev({ runId, type: 'run.started', goal: FIXTURE_PLAN.goal, baseCommit: 'abc123' });
  for (const t of FIXTURE_PLAN.tasks)
    hub.tasks.upsert({ runId, id: t.id, agent: t.agent, status: 'queued', wave: t.id === 'web' ? 2 : 1 });

  ev({ runId, type: 'wave.started', wave: 1, tasks: ['api', 'db'], estimatedTokens: 8000, budget: 60000 });
  hub.tasks.upsert({ runId, id: 'api', branch: `orchestra/${runId}/api` });
  hub.tasks.startAttempt(runId, 'api');
  ev({ runId, taskId: 'api', type: 'task.started', attempt: 1, agent: 'backend-specialist' });
  ev({
    runId,
    taskId: 'api',
    type: 'packet.built',
    attempt: 1,
    tokens: 650,
    budget: 8000,
    fullContextTokens: 15000,
  });
  hub.tasks.startAttempt(runId, 'db');
  ev({ runId, taskId: 'db', type: 'task.started', attempt: 1, agent: 'database-specialist' });
  ev({
    runId,
    taskId: 'api',
    type: 'usage',
    usage: { inputTokens: 1200, outputTokens: 30, cacheCreationInputTokens: 100, cacheReadInputTokens: 50 },
  });
  ev({ runId, taskId: 'api', type: 'tool.used', tool: 'Write', input: { file_path: 'src/api/a.ts' } });
  ev({
    runId,
    taskId: 'api',
    type: 'tool.denied',
    tool: 'Write',
    path: 'src/db/x.ts',
    reason: 'owned by db',
  });
  ev({
    runId,
    taskId: 'api',
    type: 'task.terminated',
    attempt: 1,
    reason: 'context',
    detail: 'context at 87%',
  });
  hub.usage.add({
    runId,
    taskId: 'api',
    attempt: 1,
    layer: 'specialist',
    inputTokens: 1200,
    outputTokens: 30,
    cacheCreationInputTokens: 100,
    cacheReadInputTokens: 50,
    costUsd: 0.0125,
  });
  ev({ runId, taskId: 'api', type: 'handoff', from: 'backend-specialist#1', to: 'backend-specialist#2' });
  hub.tasks.startAttempt(runId, 'api');
  ev({ runId, taskId: 'api', type: 'task.started', attempt: 2, agent: 'backend-specialist' });
  ev({
    runId,
    taskId: 'api',
    type: 'packet.built',
    attempt: 2,
    tokens: 900,
    budget: 8000,
    fullContextTokens: 15400,
    omitted: ['decisions'],
  });
  ev({
    runId,
    taskId: 'api',
    type: 'usage',
    usage: { inputTokens: 1300, outputTokens: 20, cacheCreationInputTokens: 0, cacheReadInputTokens: 1250 },
  });
  ev({ runId, taskId: 'db', type: 'task.failed', attempt: 1, reason: 'the agent process crashed' });
  hub.tasks.setStatus(runId, 'db', 'failed', 'the agent process crashed');
  hub.usage.add({
    runId,
    taskId: 'db',
    attempt: 1,
    layer: 'specialist',
    inputTokens: 800,
    outputTokens: 10,
    costUsd: 0.004,
  });
  ev({ runId, taskId: 'api', type: 'task.finished', attempt: 2, summary: 'api done' });
  hub.tasks.upsert({ runId, id: 'api', status: 'succeeded' });
  hub.usage.add({
    runId,
    taskId: 'api',
    attempt: 2,
    layer: 'specialist',
    inputTokens: 1300,
    outputTokens: 20,
    cacheReadInputTokens: 1250,
    costUsd: 0.0071,
  });
  clock.advance(4000); // synthesis: merge and validate
  ev({ runId, taskId: 'api', type: 'merge', branch: `orchestra/${runId}/api`, commit: 'def456', ok: true });
  hub.tasks.setStatus(runId, 'api', 'merged');
  hub.usage.add({ runId, layer: 'validation', inputTokens: 0, outputTokens: 0, costUsd: 0 });
  ev({
    runId,
    taskId: 'api',
    type: 'validation.finding',
    kind: 'contract',
    severity: 'error',
    message: 'Operation.userId is number, contract says string',
  });
  hub.conflicts.add({
    runId,
    kind: 'contract',
    files: ['src/api/ops.ts'],
    tasks: ['api', 'web'],
    detail: 'userId: string vs user_id: number',
  });
  ev({ runId, type: 'conflict', files: ['src/api/ops.ts'], tasks: ['api', 'web'] });
  const fix = hub.fixes.add({
    runId,
    ownerTask: 'api',
    description: 'standardize Operation.userId to string',
    contractId: 'operation',
    source: 'contract',
  });
  ev({
    runId,
    taskId: 'api',
    type: 'fix.created',
    fixId: fix.id,
    owner: 'api',
    round: 1,
    description: fix.description,
  });
  ev({ runId, type: 'wave.finished', wave: 1, merged: ['api'], failed: ['db'] });

  ev({ runId, type: 'wave.started', wave: 2, tasks: ['web'], estimatedTokens: 4000, budget: 60000 });
  hub.tasks.upsert({ runId, id: 'web', branch: `orchestra/${runId}/web` });
  hub.tasks.startAttempt(runId, 'web');
  ev({ runId, taskId: 'web', type: 'task.started', attempt: 1, agent: 'frontend-specialist' });
  ev({
    runId,
    taskId: 'web',
    type: 'packet.built',
    attempt: 1,
    tokens: 700,
    budget: 8000,
    fullContextTokens: 12000,
  });
  clock.advance(63_000);
  ev({
    runId,
    taskId: 'web',
    type: 'usage',
    usage: { inputTokens: 2000, outputTokens: 400, cacheCreationInputTokens: 300, cacheReadInputTokens: 0 },
  });
  ev({ runId, taskId: 'web', type: 'task.finished', attempt: 1 });
  hub.tasks.upsert({ runId, id: 'web', status: 'succeeded' });
  hub.usage.add({
    runId,
    taskId: 'web',
    attempt: 1,
    layer: 'specialist',
    inputTokens: 2000,
    outputTokens: 400,
    cacheCreationInputTokens: 300,
    costUsd: 0.021,
  });
  ev({ runId, taskId: 'web', type: 'merge', branch: `orchestra/${runId}/web`, ok: true });
  hub.tasks.setStatus(runId, 'web', 'merged');
  hub.fixes.setStatus(fix.id, 'resolved');
  ev({ runId, type: 'wave.finished', wave: 2, merged: ['web'], failed: [] });
  ev({ runId, type: 'run.finished', status: 'failed', reason: '1 task failed: db' });
  hub.runs.setStatus(runId, 'failed');

  if (options.baseline) {
    hub.tasks.upsert({ runId, id: 'baseline', agent: 'general-purpose', status: 'running', attempts: 1 });
    ev({ runId, taskId: 'baseline', type: 'task.started', attempt: 1, agent: 'general-purpose' });
    clock.advance(120_000);
    ev({ runId, taskId: 'baseline', type: 'task.failed', attempt: 1, reason: 'context' });
    hub.tasks.setStatus(runId, 'baseline', 'failed', 'context');
    hub.usage.add({
      runId,
      taskId: 'baseline',
      attempt: 1,
      layer: 'baseline',
      inputTokens: 50_000,
      outputTokens: 9000,
      cacheReadInputTokens: 180_000,
      costUsd: 1.25,
    });
  }
  return runId;
}

/** A temporary repository directory whose `.orchestra/hub.db` holds what `fill` writes. */
export function tempHubRepo(fill: (hub: Hub, clock: ReturnType<typeof manualClock>) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-report-'));
  const clock = manualClock();
  const hub = openHub({ path: join(dir, '.orchestra', 'hub.db'), now: clock.now });
  try {
    fill(hub, clock);
  } finally {
    hub.close();
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
