import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileGlob } from '../domain/globs.js';
import { planSchema } from '../domain/plan.js';
import { type Hub, openHub } from './hub.js';
import { LEASE_MIRROR_VERSION, type LeaseMirror, leaseMirrorPath } from './lease-mirror.js';

let dir: string;
let file: string;
let hub: Hub;
let now = 0;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orchestra-mirror-'));
  file = join(dir, '.orchestra', 'hub.db');
  now = Date.parse('2026-01-01T00:00:00Z');
  hub = openHub({ path: file, now: () => new Date(now), leaseTtlMs: 60_000 });
  hub.runs.create({
    id: 'r1',
    goal: 'g',
    repo: '/repo',
    plan: planSchema.parse({
      version: 1,
      goal: 'g',
      tasks: [
        { id: 'api', title: 'The API', agent: 'backend-specialist', owns: ['src/api/**'] },
        { id: 'web', title: 'The page', agent: 'frontend-specialist', owns: ['src/web/**'] },
      ],
    }),
  });
  hub.tasks.upsert({ runId: 'r1', id: 'api', agent: 'backend-specialist', status: 'running' });
  hub.tasks.upsert({ runId: 'r1', id: 'web', agent: 'frontend-specialist', status: 'queued' });
});
afterEach(() => {
  hub.close();
  rmSync(dir, { recursive: true, force: true });
});

const mirror = (): LeaseMirror => JSON.parse(readFileSync(leaseMirrorPath(file), 'utf8')) as LeaseMirror;
const held = () => mirror().leases.map((l) => `${l.taskId}:${l.pattern}`);

describe('the lease mirror', () => {
  it('follows every lease change: acquire, renew, release, a finished task', () => {
    expect(mirror()).toMatchObject({ version: LEASE_MIRROR_VERSION, leases: [], worktrees: [] });
    expect(hub.leases.acquire({ runId: 'r1', taskId: 'api', patterns: ['src/api/**'] }).ok).toBe(true);
    expect(
      hub.leases.acquire({ runId: 'r1', taskId: 'web', patterns: ['src/web/', 'docs/{a,b}.md'] }).ok,
    ).toBe(true);
    expect(mirror().leases[0]).toEqual({
      runId: 'r1',
      taskId: 'api',
      title: 'The API',
      pattern: 'src/api/**',
      match: compileGlob('src/api/**'),
      pid: process.pid,
      expiresAt: now + 60_000,
    });
    expect(mirror().leases[2]?.match.map((m) => m.literal)).toEqual(['docs/a.md', 'docs/b.md']);

    now += 30_000;
    hub.leases.renew('r1', 'api');
    expect(mirror().leases[0]?.expiresAt).toBe(now + 60_000);

    hub.leases.release('r1', 'web', ['docs/{a,b}.md']);
    expect(held()).toEqual(['api:src/api/**', 'web:src/web/']);
    hub.tasks.setStatus('r1', 'api', 'succeeded');
    expect(held()).toEqual(['web:src/web/']);
  });

  it("lists live tasks' worktrees, and drops them when the task finishes", () => {
    hub.tasks.upsert({ runId: 'r1', id: 'api', worktree: '/wt/api' });
    hub.tasks.upsert({ runId: 'r1', id: 'web', worktree: '/wt/web', status: 'failed' });
    expect(mirror().worktrees).toEqual([{ runId: 'r1', taskId: 'api', worktree: '/wt/api' }]);
    hub.tasks.setStatus('r1', 'api', 'terminated');
    expect(mirror().worktrees).toEqual([]);
  });

  it('is written once, at the end of the outermost transaction, and never shows what was rolled back', () => {
    hub.transaction(() => {
      hub.leases.acquire({ runId: 'r1', taskId: 'api', patterns: ['src/api/**'] });
      // Inside the transaction the mirror still shows the committed state.
      expect(held()).toEqual([]);
      hub.leases.acquire({ runId: 'r1', taskId: 'web', patterns: ['src/web/**'] });
    });
    expect(held()).toEqual(['api:src/api/**', 'web:src/web/**']);

    expect(() =>
      hub.transaction(() => {
        hub.leases.release('r1', 'api');
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(held()).toEqual(['api:src/api/**', 'web:src/web/**']);
    expect(hub.leases.list()).toHaveLength(2);
  });

  it('is written by every process that changes the hub, in commit order', () => {
    const other = openHub({ path: file });
    try {
      other.leases.acquire({ runId: 'r1', taskId: 'web', patterns: ['src/web/**'] });
      expect(held()).toEqual(['web:src/web/**']);
      hub.leases.acquire({ runId: 'r1', taskId: 'api', patterns: ['src/api/**'] });
      expect(held()).toEqual(['web:src/web/**', 'api:src/api/**']);
    } finally {
      other.close();
    }
  });

  it('is published only for a hub in a .orchestra directory', () => {
    const elsewhere = join(dir, 'elsewhere', 'hub.db');
    const h = openHub({ path: elsewhere });
    h.runs.create({ id: 'r1', goal: 'g', repo: '/repo' });
    h.tasks.upsert({ runId: 'r1', id: 'api', agent: 'backend-specialist', status: 'running' });
    h.leases.acquire({ runId: 'r1', taskId: 'api', patterns: ['src/api/**'] });
    h.close();
    expect(existsSync(leaseMirrorPath(elsewhere))).toBe(false);
  });

  it('is published when a hub opens, and never by a read-only one', () => {
    hub.leases.acquire({ runId: 'r1', taskId: 'api', patterns: ['src/api/**'] });
    rmSync(leaseMirrorPath(file));
    openHub({ path: file, readonly: true }).close();
    expect(existsSync(leaseMirrorPath(file))).toBe(false);
    openHub({ path: file }).close();
    expect(held()).toEqual(['api:src/api/**']);
  });
});
