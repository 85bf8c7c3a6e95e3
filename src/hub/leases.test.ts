import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { globOverlap } from '../domain/globs.js';
import { type Hub, openHub } from './hub.js';

let hub: Hub;
let now = 0;
const dead = new Set<number>();
beforeEach(() => {
  now = Date.parse('2026-01-01T00:00:00Z');
  dead.clear();
  hub = openHub({
    path: ':memory:',
    now: () => new Date(now),
    isAlive: (pid) => !dead.has(pid),
    leaseTtlMs: 60_000,
  });
  hub.runs.create({ id: 'r1', goal: 'g', repo: '/repo' });
  hub.runs.create({ id: 'r2', goal: 'g', repo: '/repo' });
});
afterEach(() => hub.close());

const acquire = (taskId: string, patterns: string[], more: { pid?: number; runId?: string } = {}) =>
  hub.leases.acquire({ runId: more.runId ?? 'r1', taskId, patterns, pid: more.pid ?? 100 });

describe('leases', () => {
  it('grants disjoint patterns to different tasks', () => {
    expect(acquire('api', ['src/api/**']).ok).toBe(true);
    expect(acquire('apix', ['src/apix/**', 'docs/apix.md']).ok).toBe(true);
    expect(hub.leases.list().map((l) => `${l.taskId}:${l.pattern}`)).toEqual([
      'api:src/api/**',
      'apix:src/apix/**',
      'apix:docs/apix.md',
    ]);
  });

  it('refuses an overlapping request, naming the holder and a path both match, and grants nothing', () => {
    expect(acquire('types', ['src/types/**']).ok).toBe(true);
    const r = acquire('server', ['src/server/**', 'src/**/*.ts']);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.holder).toMatchObject({ taskId: 'types', pattern: 'src/types/**' });
    expect(r.requested).toBe('src/**/*.ts');
    expect(globOverlap('src/**/*.ts', 'src/types/**')).not.toBeNull();
    expect(r.message).toContain(`leased by task "types"`);
    expect(r.message).toContain(r.overlap);
    expect(hub.leases.list({ taskId: 'server' })).toEqual([]);
    const refused = hub.events.list({ type: 'lease.refused' });
    expect(refused).toMatchObject([{ taskId: 'server', holder: 'types', overlap: r.overlap }]);
  });

  it('refuses globs the overlap test cannot decide, naming them, and takes letter case as the same path', () => {
    for (const g of ['!src/**', 'src/@(a|b)/**', 'src/[!a]/x', 'src/{1..3}/x']) {
      expect(() => acquire('api', [g])).toThrow(
        new RegExp(`cannot lease "${g.replace(/[[\]{}()|!@*.+?^$/\\]/g, '\\$&')}"`),
      );
    }
    expect(hub.leases.list()).toEqual([]);
    expect(acquire('api', ['src/api/**']).ok).toBe(true);
    const r = acquire('web', ['src/API/x.ts']);
    expect(r.ok).toBe(false);
  });

  it('holds across runs of the same repository', () => {
    expect(acquire('a', ['src/**']).ok).toBe(true);
    expect(acquire('b', ['src/x.ts'], { runId: 'r2' }).ok).toBe(false);
  });

  it('re-acquiring its own lease is idempotent and renews it for the new process', () => {
    expect(acquire('types', ['src/types/**'], { pid: 100 }).ok).toBe(true);
    now += 30_000;
    const again = acquire('types', ['src/types/**', 'src/types/**'], { pid: 200 });
    expect(again.ok).toBe(true);
    expect(hub.leases.list()).toMatchObject([{ pattern: 'src/types/**', pid: 200, expiresAt: now + 60_000 }]);
    expect(hub.events.list({ type: 'lease.acquired' })).toHaveLength(1);
    // Widening its own lease never conflicts with itself.
    expect(acquire('types', ['src/**'], { pid: 200 }).ok).toBe(true);
  });

  it('sweeps the lease of a dead process, so another task can take the path', () => {
    expect(acquire('types', ['src/types/**'], { pid: 111 }).ok).toBe(true);
    expect(acquire('other', ['src/types/a.ts'], { pid: 222 }).ok).toBe(false);
    dead.add(111);
    expect(hub.leases.sweep().map((l) => l.taskId)).toEqual(['types']);
    expect(acquire('other', ['src/types/a.ts'], { pid: 222 }).ok).toBe(true);
    expect(hub.events.list({ type: 'lease.released' })).toMatchObject([
      { taskId: 'types', patterns: ['src/types/**'] },
    ]);
  });

  it('treats an expired lease as dead, and renew keeps it alive', () => {
    expect(acquire('a', ['src/a/**']).ok).toBe(true);
    expect(acquire('b', ['src/b/**']).ok).toBe(true);
    now += 50_000;
    expect(hub.leases.renew('r1', 'a')).toBe(1);
    now += 20_000; // b expired, a renewed
    expect(acquire('c', ['src/*/x.ts']).ok).toBe(false);
    expect(hub.leases.list().map((l) => l.taskId)).toEqual(['a']);
  });

  it('releases leases of finished tasks: on setStatus, on release, and on sweep', () => {
    hub.tasks.upsert({ runId: 'r1', id: 'done', agent: 'x', status: 'running' });
    expect(acquire('done', ['a/**']).ok).toBe(true);
    expect(acquire('other', ['b/**']).ok).toBe(true);
    expect(hub.leases.sweep()).toEqual([]);
    expect(hub.leases.release('r1', 'other').map((l) => l.pattern)).toEqual(['b/**']);
    expect(hub.leases.holdersOf('a/x.ts').map((l) => l.taskId)).toEqual(['done']);
    hub.tasks.setStatus('r1', 'done', 'succeeded');
    expect(hub.leases.list()).toEqual([]);
  });

  it('sweep releases the lease of a task another process marked finished', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-'));
    try {
      const path = join(dir, 'hub.db');
      const h = openHub({ path });
      h.runs.create({ id: 'r1', goal: 'g', repo: '/repo' });
      h.tasks.upsert({ runId: 'r1', id: 't', agent: 'x', status: 'running' });
      expect(h.leases.acquire({ runId: 'r1', taskId: 't', patterns: ['src/**'] }).ok).toBe(true);
      const raw = new Database(path);
      raw.prepare("UPDATE tasks SET status = 'terminated' WHERE id = 't'").run();
      raw.close();
      expect(h.leases.sweep().map((l) => l.pattern)).toEqual(['src/**']);
      h.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('property: live leases of different tasks never overlap', () => {
    const patterns = fc.constantFrom(
      'src/**',
      'src/api/**',
      'src/api/*.ts',
      'src/apix/**',
      'src/*.ts',
      'docs/**',
      'src/{api,db}/x.ts',
      'src/db/**',
      '**/*.md',
    );
    const op = fc.record({
      task: fc.constantFrom('a', 'b', 'c', 'd'),
      kind: fc.constantFrom('acquire', 'acquire', 'release', 'die'),
      patterns: fc.array(patterns, { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        hub.close();
        dead.clear();
        hub = openHub({ path: ':memory:', now: () => new Date(now), isAlive: (pid) => !dead.has(pid) });
        hub.runs.create({ id: 'r1', goal: 'g', repo: '/repo' });
        const pids = { a: 1, b: 2, c: 3, d: 4 } as const;
        for (const o of ops) {
          if (o.kind === 'acquire') acquire(o.task, o.patterns, { pid: pids[o.task as keyof typeof pids] });
          else if (o.kind === 'release') hub.leases.release('r1', o.task);
          else dead.add(pids[o.task as keyof typeof pids]);
          hub.leases.sweep();
          const live = hub.leases.list();
          for (const x of live)
            for (const y of live)
              if (x.taskId !== y.taskId)
                expect(globOverlap(x.pattern, y.pattern), `${x.pattern} ~ ${y.pattern}`).toBeNull();
        }
      }),
      { numRuns: 150 },
    );
  });
});
