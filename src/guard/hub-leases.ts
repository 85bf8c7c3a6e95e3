import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
// Deep import on purpose: domain/index loads zod, which alone costs more than the hook's budget.
import { matchesGlob } from '../domain/index.js';
import { pidAlive } from './active-runs.js';
import type { LeaseHit } from './guard.js';

// The hub's LIVE_TASK_STATUSES, repeated: hub/tasks.ts loads zod. guard.test.ts holds them equal.
/** Task statuses whose leases are live. */
export const GUARD_LIVE_STATUSES: readonly string[] = ['queued', 'running'];

/**
 * better-sqlite3's addon, named directly: its default lookup (the `bindings` package) probes many
 * paths on every start, which this hook pays on every write tool call of a session during a run.
 */
const NATIVE_BINDING = ((): string | undefined => {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
    const file = join(dir, 'build', 'Release', 'better_sqlite3.node');
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
})();

/** What the guard asks the hub. */
export interface LeaseQuery {
  hubFile: string;
  /** The target, relative to its checkout's root (POSIX). */
  relativePath: string;
  /** The real root of the checkout the target is in. */
  checkoutRoot: string;
  isAlive?: ((pid: number) => boolean) | undefined;
  now: number;
}

interface Row {
  runId: string;
  taskId: string;
  pattern: string;
  pid: number;
  expiresAt: number;
  status: string | null;
}

/**
 * The live leases covering a path, read straight from the hub file opened read-only (the hub's
 * lease semantics: not expired, process alive, task not finished), and whether the checkout is a
 * task's own worktree (where the run's executor enforces ownership itself). Throws when the hub
 * cannot be read: the guard then refuses.
 */
export function leaseHits(q: LeaseQuery): { hits: LeaseHit[]; inTaskWorktree?: string } {
  // better-sqlite3 would create a missing file; a run marked active without its hub is unreadable.
  if (!existsSync(q.hubFile)) throw new Error('the file does not exist');
  const db = new Database(q.hubFile, {
    readonly: true,
    fileMustExist: true,
    timeout: 2000,
    ...(NATIVE_BINDING ? { nativeBinding: NATIVE_BINDING } : {}),
  });
  try {
    const worktrees = db
      .prepare(
        `SELECT id AS taskId, worktree FROM tasks
         WHERE worktree IS NOT NULL AND status IN (${GUARD_LIVE_STATUSES.map(() => '?').join(', ')})`,
      )
      .all(...GUARD_LIVE_STATUSES) as Array<{ taskId: string; worktree: string }>;
    for (const w of worktrees)
      if (sameDir(w.worktree, q.checkoutRoot)) return { hits: [], inTaskWorktree: w.taskId };

    const rows = db
      .prepare(
        `SELECT l.run_id AS runId, l.task_id AS taskId, l.pattern AS pattern, l.pid AS pid,
                l.expires_at AS expiresAt, t.status AS status
         FROM leases l LEFT JOIN tasks t ON t.run_id = l.run_id AND t.id = l.task_id ORDER BY l.rowid`,
      )
      .all() as Row[];
    const isAlive = q.isAlive ?? pidAlive;
    const live = rows.filter(
      (r) =>
        r.expiresAt > q.now &&
        (r.status === null || GUARD_LIVE_STATUSES.includes(r.status)) &&
        isAlive(r.pid) &&
        matchesGlob(q.relativePath, r.pattern),
    );
    const titles = new Map<string, string | null>();
    const titleOf = (runId: string, taskId: string): string | null => {
      const key = `${runId}\u0000${taskId}`;
      if (!titles.has(key)) titles.set(key, planTitle(db, runId, taskId));
      return titles.get(key) ?? null;
    };
    return {
      hits: live.map((r) => ({
        runId: r.runId,
        taskId: r.taskId,
        title: titleOf(r.runId, r.taskId),
        pattern: r.pattern,
      })),
    };
  } finally {
    db.close();
  }
}

function planTitle(db: Database.Database, runId: string, taskId: string): string | null {
  const row = db.prepare('SELECT plan FROM runs WHERE id = ?').get(runId) as
    | { plan: string | null }
    | undefined;
  if (!row?.plan) return null;
  try {
    const plan = JSON.parse(row.plan) as { tasks?: Array<{ id?: unknown; title?: unknown }> };
    const t = plan.tasks?.find((x) => x.id === taskId);
    return typeof t?.title === 'string' ? t.title : null;
  } catch {
    return null;
  }
}

function sameDir(a: string, b: string): boolean {
  try {
    return realpathSync(a) === b;
  } catch {
    return false;
  }
}
