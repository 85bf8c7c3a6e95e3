import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Plan, planSchema } from '../domain/plan.js';
import { type Hub, openHub } from './hub.js';

const plan: Plan = planSchema.parse({
  version: 1,
  goal: 'Real-time collaborative editing',
  architecture: {
    decisions: [{ id: 'd1', decision: 'PostgreSQL for persistence', rationale: 'durable' }],
    constraints: ['Sub-100ms latency'],
  },
  contracts: [
    {
      id: 'operation',
      kind: 'typescript',
      owner: 'types',
      definition: 'export interface Operation { userId: string }',
    },
  ],
  tasks: [
    {
      id: 'types',
      title: 'Types',
      agent: 'types-specialist',
      owns: ['src/types/**'],
      provides: ['operation'],
    },
  ],
});

let hub: Hub;
let t = 0;
const tick = () => {
  t += 1000;
  return new Date(t);
};
beforeEach(() => {
  t = Date.parse('2026-01-01T00:00:00Z');
  hub = openHub({ path: ':memory:', now: tick });
  hub.runs.create({
    id: 'r1',
    goal: plan.goal,
    repo: '/repo',
    baseCommit: 'abc',
    plan,
    config: { maxParallel: 2 },
  });
});
afterEach(() => hub.close());

describe('runs', () => {
  it('creates, reads back through the schema, lists and changes status', () => {
    const r = hub.runs.get('r1');
    expect(r).toMatchObject({ id: 'r1', status: 'planning', baseCommit: 'abc', config: { maxParallel: 2 } });
    expect(r?.plan?.tasks[0]?.id).toBe('types');
    hub.runs.create({ id: 'r2', goal: 'g', repo: '/repo' });
    expect(hub.runs.list().map((x) => x.id)).toEqual(['r2', 'r1']);
    expect(hub.runs.setStatus('r2', 'running').status).toBe('running');
    expect(hub.runs.list({ status: 'running' }).map((x) => x.id)).toEqual(['r2']);
    expect(() => hub.runs.setStatus('nope', 'failed')).toThrow(/no run "nope"/);
    expect(() => hub.runs.require('nope')).toThrow(/orchestra runs/);
  });

  it('seeds the plan decisions and contracts (version 1)', () => {
    expect(hub.decisions.list('r1')).toMatchObject([{ id: 'd1', source: 'plan', rationale: 'durable' }]);
    expect(hub.contracts.get('r1', 'operation')).toMatchObject({
      version: 1,
      owner: 'types',
      authorTask: null,
    });
  });

  it('rejects a duplicate run id and leaves nothing half-written', () => {
    expect(() => hub.runs.create({ id: 'r1', goal: 'again', repo: '/x' })).toThrow();
    expect(hub.runs.get('r1')?.goal).toBe(plan.goal);
  });
});

describe('tasks', () => {
  it('upserts, keeps unspecified fields, counts attempts and lists by status', () => {
    hub.tasks.upsert({ runId: 'r1', id: 'types', agent: 'types-specialist', wave: 0 });
    hub.tasks.startAttempt('r1', 'types');
    const t1 = hub.tasks.upsert({ runId: 'r1', id: 'types', branch: 'orchestra/r1/types', sessionId: 's1' });
    expect(t1).toMatchObject({
      status: 'running',
      attempts: 1,
      wave: 0,
      branch: 'orchestra/r1/types',
      sessionId: 's1',
    });
    const done = hub.tasks.upsert({
      runId: 'r1',
      id: 'types',
      status: 'succeeded',
      result: { summary: 'done', contracts: [], testRequirements: [], dependenciesNeeded: [], notes: [] },
    });
    expect(done.result?.summary).toBe('done');
    expect(hub.tasks.list('r1', { status: 'succeeded' }).map((x) => x.id)).toEqual(['types']);
    expect(hub.tasks.list('r1', { status: 'queued' })).toEqual([]);
  });

  it('needs an agent for a new task and a known task for setStatus', () => {
    expect(() => hub.tasks.upsert({ runId: 'r1', id: 'x' })).toThrow(/give its agent/);
    expect(() => hub.tasks.setStatus('r1', 'x', 'failed')).toThrow(/no task "x"/);
  });

  it('finishing a task releases its leases', () => {
    hub.tasks.upsert({ runId: 'r1', id: 'types', agent: 'a', status: 'running' });
    expect(hub.leases.acquire({ runId: 'r1', taskId: 'types', patterns: ['src/types/**'] }).ok).toBe(true);
    hub.tasks.setStatus('r1', 'types', 'failed', 'tests fail');
    expect(hub.leases.list()).toEqual([]);
    expect(hub.tasks.get('r1', 'types')?.reason).toBe('tests fail');
  });
});

describe('events', () => {
  it('validates on write, keeps order and filters by task, type and position', () => {
    const a = hub.events.append({ runId: 'r1', type: 'run.started', goal: 'g' });
    hub.events.append({
      runId: 'r1',
      taskId: 'types',
      type: 'task.started',
      attempt: 1,
      agent: 'types-specialist',
    });
    hub.events.append({ runId: 'r1', taskId: 'types', type: 'note', text: 'hi' });
    expect(a).toMatchObject({ v: 1, taskId: null, at: '2026-01-01T00:00:04.000Z' });
    expect(hub.events.list({ runId: 'r1', taskId: 'types' }).map((e) => e.type)).toEqual([
      'task.started',
      'note',
    ]);
    expect(hub.events.list({ type: ['note', 'run.started'] }).map((e) => e.type)).toEqual([
      'run.started',
      'note',
    ]);
    expect(hub.events.list({ afterId: a.id, limit: 1 }).map((e) => e.type)).toEqual(['task.started']);
    // @ts-expect-error a payload field is missing
    expect(() => hub.events.append({ runId: 'r1', type: 'task.failed', attempt: 1 })).toThrow(
      /invalid event.*reason/,
    );
  });

  it('is append-only, and refuses to read a row that does not match the event schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-'));
    try {
      const path = join(dir, 'hub.db');
      const h = openHub({ path });
      h.runs.create({ id: 'r1', goal: 'g', repo: '/repo' });
      h.events.append({ runId: 'r1', type: 'note', text: 'x' });
      const raw = new Database(path);
      expect(() => raw.prepare("UPDATE events SET body = '{}'").run()).toThrow(/append-only/);
      raw
        .prepare("INSERT INTO events (run_id, type, at, body) VALUES ('r1', 'note', 'now', '{\"v\":9}')")
        .run();
      raw.close();
      expect(() => h.events.list()).toThrow(/event row in the hub does not match its schema/);
      h.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('contracts', () => {
  it('adds a version per change, not for an identical put, and keeps history', () => {
    const c = plan.contracts[0]!;
    expect(hub.contracts.put('r1', c).version).toBe(1);
    const v2 = hub.contracts.put(
      'r1',
      { ...c, definition: 'export interface Operation { userId: string; op: string }' },
      { authorTask: 'types' },
    );
    expect(v2).toMatchObject({ version: 2, authorTask: 'types' });
    expect(hub.contracts.get('r1', 'operation')?.version).toBe(2);
    expect(hub.contracts.get('r1', 'operation', 1)?.definition).toBe(c.definition);
    expect(hub.contracts.history('r1', 'operation').map((x) => x.version)).toEqual([1, 2]);
    hub.contracts.put('r1', { id: 'presence', kind: 'event', owner: 'ws', definition: 'presence' });
    expect(hub.contracts.list('r1').map((x) => [x.id, x.version])).toEqual([
      ['operation', 2],
      ['presence', 1],
    ]);
    expect(hub.contracts.get('r1', 'none')).toBeUndefined();
  });
});

describe('decisions, completions, handoffs, conflicts, fixes', () => {
  it('decisions: add and revise by id', () => {
    hub.decisions.add({ runId: 'r1', id: 'd2', decision: 'JWT', taskId: 'auth' });
    hub.decisions.add({ runId: 'r1', id: 'd2', decision: 'OAuth', taskId: 'auth' });
    expect(hub.decisions.list('r1').map((d) => [d.id, d.decision, d.source])).toEqual([
      ['d1', 'PostgreSQL for persistence', 'plan'],
      ['d2', 'OAuth', 'agent'],
    ]);
  });

  it('completions: recorded per attempt', () => {
    hub.completions.add({
      runId: 'r1',
      taskId: 'types',
      attempt: 1,
      summary: 'ok',
      commit: 'c1',
      files: ['a.ts'],
    });
    hub.completions.add({ runId: 'r1', taskId: 'db', attempt: 1, summary: 'ok' });
    expect(hub.completions.list('r1', 'types')).toMatchObject([{ commit: 'c1', files: ['a.ts'] }]);
    expect(hub.completions.list('r1')).toHaveLength(2);
  });

  it('handoffs: validated, defaults applied, newest last', () => {
    const h = {
      from: 'types',
      to: 'ws',
      timestamp: 'now',
      artifacts: { interfaces: ['Operation'] },
      nextAgentContext: {},
    };
    hub.handoffs.put('r1', 'types', h);
    hub.handoffs.put('r1', 'types', { ...h, to: 'editor' });
    expect(hub.handoffs.forTask('r1', 'types').map((x) => x.handoff.to)).toEqual(['ws', 'editor']);
    expect(hub.handoffs.latest('r1', 'types')?.artifacts.implementationNotes.critical).toEqual([]);
    expect(hub.handoffs.latest('r1', 'other')).toBeUndefined();
    expect(() => hub.handoffs.put('r1', 'types', { ...h, from: '' })).toThrow(/invalid handoff/);
  });

  it('conflicts: recorded with files and tasks, filtered by task', () => {
    hub.conflicts.add({
      runId: 'r1',
      kind: 'merge',
      files: ['src/a.ts'],
      tasks: ['ws', 'db'],
      detail: 'both edit',
    });
    hub.conflicts.add({ runId: 'r1', kind: 'contract', files: [], tasks: ['types'] });
    expect(hub.conflicts.list('r1')).toHaveLength(2);
    expect(hub.conflicts.list('r1', { taskId: 'db' })).toMatchObject([
      { files: ['src/a.ts'], detail: 'both edit' },
    ]);
  });

  it('fixes: open, filter by owner and status, move on', () => {
    const f = hub.fixes.add({
      runId: 'r1',
      ownerTask: 'ws',
      description: 'standardize Operation',
      contractId: 'operation',
      expected: '{userId: string}',
      actual: '{user_id: number}',
      source: 'contract',
    });
    hub.fixes.add({ runId: 'r1', ownerTask: 'db', description: 'lock' });
    expect(f.status).toBe('open');
    expect(hub.fixes.list('r1', { ownerTask: 'ws' })).toMatchObject([{ expected: '{userId: string}' }]);
    hub.fixes.setStatus(f.id, 'resolved');
    expect(hub.fixes.list('r1', { status: 'open' }).map((x) => x.ownerTask)).toEqual(['db']);
    expect(() => hub.fixes.setStatus(999, 'open')).toThrow(/no fix task 999/);
  });
});

describe('usage', () => {
  it('sums per layer and per task, with the run total', () => {
    hub.usage.add({ runId: 'r1', layer: 'orchestrator', inputTokens: 100, outputTokens: 10, costUsd: 0.5 });
    hub.usage.add({
      runId: 'r1',
      layer: 'specialist',
      taskId: 'types',
      attempt: 1,
      model: 'sonnet',
      inputTokens: 200,
      outputTokens: 20,
      cacheReadInputTokens: 50,
      costUsd: 0.25,
    });
    hub.usage.add({
      runId: 'r1',
      layer: 'specialist',
      taskId: 'ws',
      attempt: 1,
      inputTokens: 300,
      outputTokens: 30,
      cacheCreationInputTokens: 7,
    });
    const byLayer = hub.usage.summary('r1', 'layer');
    expect(byLayer.groups.map((g) => [g.key, g.inputTokens, g.calls])).toEqual([
      ['orchestrator', 100, 1],
      ['specialist', 500, 2],
    ]);
    expect(byLayer.total).toMatchObject({
      inputTokens: 600,
      outputTokens: 60,
      cacheReadInputTokens: 50,
      cacheCreationInputTokens: 7,
      costUsd: 0.75,
    });
    expect(hub.usage.summary('r1', 'task').groups.map((g) => g.key)).toEqual(['(run)', 'types', 'ws']);
    expect(hub.usage.list('r1', 'types')).toMatchObject([{ model: 'sonnet', attempt: 1 }]);
    expect(hub.usage.summary('none').total.calls).toBe(0);
  });
});
