import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDispatcher, tasksToStart } from './dispatcher.js';
import { simulateSchedule } from './simulate.js';
import type { SchedulableTask } from './task-graph.js';
import { planWaves } from './waves.js';

interface Dag {
  tasks: SchedulableTask[];
  maxParallel: number;
  contextBudget: number;
}

/** Random DAGs (listed in shuffled order) with tokens that sometimes exceed the budget. */
const dagArb: fc.Arbitrary<Dag> = fc
  .record({
    n: fc.integer({ min: 1, max: 40 }),
    maxParallel: fc.integer({ min: 1, max: 6 }),
    contextBudget: fc.integer({ min: 1_000, max: 20_000 }),
    seed: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 120 }),
    tokens: fc.array(fc.integer({ min: 0, max: 25_000 }), { minLength: 40, maxLength: 40 }),
    order: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
  })
  .map(({ n, maxParallel, contextBudget, seed, tokens, order }) => {
    const deps: string[][] = Array.from({ length: n }, () => []);
    for (const [a, b] of seed) {
      const hi = (a % n) as number;
      if (hi === 0) continue;
      const lo = b % hi;
      const d = deps[hi] as string[];
      if (!d.includes(`t${lo}`)) d.push(`t${lo}`);
    }
    const tasks = deps.map((dependsOn, i) => ({
      id: `t${i}`,
      dependsOn,
      estimatedContextTokens: tokens[i] ?? 0,
    }));
    const keyed = tasks.map((t, i) => ({ t, k: order[i] ?? 0 }));
    keyed.sort((x, y) => x.k - y.k);
    return { tasks: keyed.map((x) => x.t), maxParallel, contextBudget };
  });

const byId = (tasks: SchedulableTask[]) => new Map(tasks.map((t) => [t.id, t]));

describe('planWaves', () => {
  it('respects dependencies, maxParallel and the budget, and schedules every task exactly once', () => {
    fc.assert(
      fc.property(dagArb, ({ tasks, maxParallel, contextBudget }) => {
        const { waves, warnings } = planWaves(tasks, { maxParallel, contextBudget });
        const waveOf = new Map<string, number>();
        for (const w of waves)
          for (const id of w.taskIds) {
            expect(waveOf.has(id)).toBe(false);
            waveOf.set(id, w.index);
          }
        expect(waveOf.size).toBe(tasks.length);
        const tasksById = byId(tasks);
        for (const w of waves) {
          expect(w.taskIds.length).toBeGreaterThan(0);
          expect(w.taskIds.length).toBeLessThanOrEqual(maxParallel);
          const sum = w.taskIds.reduce((s, id) => s + (tasksById.get(id)?.estimatedContextTokens ?? 0), 0);
          expect(w.tokens).toBe(sum);
          if (sum > contextBudget) {
            expect(w.taskIds).toHaveLength(1);
            expect(warnings.map((x) => x.taskId)).toContain(w.taskIds[0]);
          }
          for (const id of w.taskIds)
            for (const d of tasksById.get(id)?.dependsOn ?? [])
              expect(waveOf.get(d) as number).toBeLessThan(w.index);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('puts the head of the longest chain first', () => {
    const tasks = [
      { id: 'short', estimatedContextTokens: 1000 },
      { id: 'long1', estimatedContextTokens: 1000 },
      { id: 'long2', dependsOn: ['long1'], estimatedContextTokens: 1000 },
      { id: 'long3', dependsOn: ['long2'], estimatedContextTokens: 1000 },
    ];
    const { waves } = planWaves(tasks, { maxParallel: 1, contextBudget: 10_000 });
    // short ties with long3 at the end and then plan order decides.
    expect(waves.map((w) => w.taskIds)).toEqual([['long1'], ['long2'], ['short'], ['long3']]);
  });

  it('runs a task larger than the budget alone, with a warning', () => {
    const tasks = [
      { id: 'a', estimatedContextTokens: 1000 },
      { id: 'big', estimatedContextTokens: 90_000 },
      { id: 'b', estimatedContextTokens: 1000 },
    ];
    const { waves, warnings } = planWaves(tasks, { maxParallel: 4, contextBudget: 60_000 });
    expect(waves.find((w) => w.taskIds.includes('big'))?.taskIds).toEqual(['big']);
    expect(warnings).toEqual([expect.objectContaining({ code: 'oversized-task', taskId: 'big' })]);
  });

  it('splits a wave when the tokens would pass the budget', () => {
    const tasks = ['a', 'b', 'c'].map((id) => ({ id, estimatedContextTokens: 25_000 }));
    const { waves } = planWaves(tasks, { maxParallel: 4, contextBudget: 60_000 });
    expect(waves.map((w) => w.tokens)).toEqual([50_000, 25_000]);
  });

  it('refuses a cycle and bad limits as user errors', () => {
    const cyclic = [
      { id: 'a', dependsOn: ['b'] },
      { id: 'b', dependsOn: ['a'] },
    ];
    expect(() => planWaves(cyclic, { maxParallel: 2, contextBudget: 1000 })).toThrow(/cycle/);
    expect(() => planWaves([{ id: 'a' }], { maxParallel: 0, contextBudget: 1000 })).toThrow(/maxParallel/);
  });

  it('computes waves for 10,000 tasks quickly', () => {
    const tasks = Array.from({ length: 10_000 }, (_, i) => ({
      id: `t${i}`,
      dependsOn: i === 0 ? [] : [`t${(i * 7919) % i}`, `t${Math.floor(i / 2)}`],
      estimatedContextTokens: 1000 + ((i * 31) % 9000),
    }));
    const started = performance.now();
    const { waves } = planWaves(tasks, { maxParallel: 8, contextBudget: 60_000 });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(waves.reduce((s, w) => s + w.taskIds.length, 0)).toBe(10_000);
  });
});

describe('dispatcher', () => {
  it('never starts a task before its dependencies finished, never exceeds the limits, never stalls', () => {
    fc.assert(
      fc.property(dagArb, fc.array(fc.nat(), { minLength: 60, maxLength: 60 }), (dag, picks) => {
        const { tasks, maxParallel, contextBudget } = dag;
        const tasksById = byId(tasks);
        const d = createDispatcher(tasks, { maxParallel, contextBudget });
        const finished = new Set<string>();
        const running: string[] = [];
        let step = 0;
        while (!d.done) {
          const expected = tasksToStart(tasks, { finished, running, maxParallel, contextBudget });
          const started = d.next();
          expect(started).toEqual(expected);
          for (const id of started) {
            for (const dep of tasksById.get(id)?.dependsOn ?? []) expect(finished.has(dep)).toBe(true);
            running.push(id);
          }
          expect(running.length).toBeGreaterThan(0); // nothing running and not done would be a stall
          expect(running.length).toBeLessThanOrEqual(maxParallel);
          const tokens = running.reduce((s, id) => s + (tasksById.get(id)?.estimatedContextTokens ?? 0), 0);
          if (tokens > contextBudget) expect(running).toHaveLength(1);
          const k = (picks[step++ % picks.length] ?? 0) % running.length;
          const [done] = running.splice(k, 1) as [string];
          d.finish(done);
          finished.add(done);
        }
        expect(finished.size).toBe(tasks.length);
      }),
      { numRuns: 200 },
    );
  });

  it('lets a task larger than the budget run alone as soon as what runs has finished', () => {
    const tasks = [
      { id: 'running', estimatedContextTokens: 1000 },
      { id: 'big', estimatedContextTokens: 90_000 },
      { id: 'after-big', dependsOn: ['big'], estimatedContextTokens: 1000 },
      { id: 'small', estimatedContextTokens: 1000 },
    ];
    const d = createDispatcher(tasks, { maxParallel: 4, contextBudget: 60_000 });
    // big heads the longest chain but cannot join "running"; small must not overtake it.
    expect(d.next()).toEqual(['big']);
    d.finish('big');
    expect(d.next()).toEqual(['running', 'after-big', 'small']);
    const e = createDispatcher(tasks.slice(0, 1).concat(tasks.slice(1)), {
      maxParallel: 4,
      contextBudget: 60_000,
      weight: (id) => (id === 'running' ? 1e9 : 1),
    });
    expect(e.next()).toEqual(['running']);
    expect(e.next()).toEqual([]);
    e.finish('running');
    expect(e.next()).toEqual(['big']);
    expect(e.warnings.map((w) => w.taskId)).toEqual(['big']);
  });

  it('refuses to finish a task that is not running', () => {
    const d = createDispatcher([{ id: 'a' }, { id: 'b', dependsOn: ['a'] }], {
      maxParallel: 2,
      contextBudget: 10,
    });
    expect(() => d.finish('b')).toThrow(/not running/);
  });
});

describe('simulateSchedule', () => {
  it('is optimal on independent equal tasks and never beats the lower bound', () => {
    const tasks = Array.from({ length: 8 }, (_, i) => ({ id: `t${i}`, estimatedContextTokens: 1 }));
    const r = simulateSchedule(tasks, {
      maxParallel: 4,
      contextBudget: 100,
      strategy: 'dynamic',
      duration: () => 5,
    });
    expect(r).toMatchObject({ makespan: 10, lowerBound: 10, ratio: 1, peakParallel: 4 });
  });

  it('lets the dynamic dispatcher overtake strict waves', () => {
    // Wave 1 holds a long and a short task; the short task's dependent waits for the long one in waves.
    const tasks = [
      { id: 'long', estimatedContextTokens: 9 },
      { id: 'short', estimatedContextTokens: 1 },
      { id: 'after', dependsOn: ['short'], estimatedContextTokens: 1 },
    ];
    const duration = (id: string) => (id === 'long' ? 10 : 1);
    const base = { maxParallel: 2, contextBudget: 100, duration };
    expect(simulateSchedule(tasks, { ...base, strategy: 'dynamic' }).makespan).toBe(10);
    expect(simulateSchedule(tasks, { ...base, strategy: 'waves' }).makespan).toBe(11);
  });

  it('stays within the limits and at or above the lower bound on random DAGs', () => {
    fc.assert(
      fc.property(
        dagArb,
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 40, maxLength: 40 }),
        (dag, ds) => {
          const duration = (id: string) => ds[Number(id.slice(1))] ?? 1;
          for (const strategy of ['dynamic', 'waves'] as const) {
            const r = simulateSchedule(dag.tasks, { ...dag, strategy, duration });
            expect(r.makespan).toBeGreaterThanOrEqual(r.budgetLowerBound - 1e-9);
            expect(r.budgetLowerBound).toBeGreaterThanOrEqual(r.lowerBound);
            expect(r.peakParallel).toBeLessThanOrEqual(dag.maxParallel);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
