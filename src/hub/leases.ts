import { z } from 'zod';
import { globOverlap, globSyntaxProblem, matchesGlob } from '../domain/index.js';
import { UserError } from '../errors.js';
import type { EventStore } from './events.js';
import { isoTime, readRows, type StoreContext } from './sql.js';
import { LIVE_TASK_STATUSES } from './tasks.js';

/** One ownership pattern held by a task of a run, for a process, until it expires. */
export const leaseSchema = z.object({
  runId: z.string(),
  taskId: z.string(),
  pattern: z.string(),
  pid: z.number().int(),
  acquiredAt: isoTime,
  /** Epoch milliseconds; a lease not renewed by then is dead. */
  expiresAt: z.number().int(),
});
/** A lease on ownership globs held by a task while it runs. */
export type Lease = z.output<typeof leaseSchema>;

/** Who asks for which patterns. */
export interface LeaseRequest {
  runId: string;
  taskId: string;
  patterns: readonly string[];
  /** The process that will write; when it dies the lease is dead. Default: this process. */
  pid?: number;
  /** How long the lease lives without renewal. Default: the hub's `leaseTtlMs`. */
  ttlMs?: number;
}

/** The outcome of a lease request: all patterns held, or a refusal naming the holder. */
export type LeaseResult =
  | { ok: true; leases: Lease[] }
  | {
      ok: false;
      /** The live lease in the way. */
      holder: Lease;
      /** The requested pattern that collides. */
      requested: string;
      /** A path both the requested and the held pattern match. */
      overlap: string;
      message: string;
    };

/** Settings of the lease manager. */
export interface LeaseSettings {
  events: EventStore;
  /** Is this process alive? Injected so tests can kill holders without killing processes. */
  isAlive: (pid: number) => boolean;
  leaseTtlMs: number;
}

const SELECT = `SELECT run_id AS runId, task_id AS taskId, pattern, pid, acquired_at AS acquiredAt,
  expires_at AS expiresAt FROM leases`;

/** True while a process with this pid exists (EPERM means it exists but is not ours). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * File-ownership leases. Every acquisition runs in one IMMEDIATE transaction, so across processes
 * the check and the grant are atomic: two overlapping leases are never live at once. Each grant,
 * release and refusal is written to the event log in the same transaction.
 */
export function createLeaseStore(ctx: StoreContext, settings: LeaseSettings) {
  const { db } = ctx;
  const all = (): Lease[] => readRows(leaseSchema, db.prepare(`${SELECT} ORDER BY rowid`).all(), 'lease');
  const finished = db.prepare(
    `SELECT 1 FROM tasks WHERE run_id = ? AND id = ? AND status NOT IN (${LIVE_TASK_STATUSES.map(() => '?').join(', ')})`,
  );
  const del = db.prepare('DELETE FROM leases WHERE run_id = ? AND task_id = ? AND pattern = ?');

  const removeLogged = (leases: readonly Lease[]): Lease[] => {
    if (leases.length > 0) ctx.touchLeases();
    const byHolder = new Map<string, Lease[]>();
    for (const l of leases) {
      del.run(l.runId, l.taskId, l.pattern);
      const k = JSON.stringify([l.runId, l.taskId]);
      byHolder.set(k, [...(byHolder.get(k) ?? []), l]);
    }
    for (const group of byHolder.values()) {
      const first = group[0] as Lease;
      settings.events.append({
        runId: first.runId,
        taskId: first.taskId,
        type: 'lease.released',
        patterns: group.map((l) => l.pattern),
      });
    }
    return [...leases];
  };

  /** Release dead leases: holder finished, process gone, or expired. Call inside a transaction. */
  const sweepLocked = (): Lease[] => {
    const now = ctx.now().getTime();
    const alive = new Map<number, boolean>();
    const dead = all().filter((l) => {
      if (l.expiresAt <= now) return true;
      if (finished.get(l.runId, l.taskId, ...LIVE_TASK_STATUSES) !== undefined) return true;
      let a = alive.get(l.pid);
      if (a === undefined) {
        a = settings.isAlive(l.pid);
        alive.set(l.pid, a);
      }
      return !a;
    });
    return removeLogged(dead);
  };

  const acquire = (req: LeaseRequest): LeaseResult => {
    // Only globs the overlap test decides exactly: anything else could let two tasks hold one file.
    for (const p of req.patterns) {
      const why = globSyntaxProblem(p);
      if (why) throw new UserError('glob-syntax', `cannot lease "${p}": ${why}`);
    }
    return ctx.tx(() => {
      sweepLocked();
      const held = all();
      const mine = held.filter((l) => l.runId === req.runId && l.taskId === req.taskId);
      const others = held.filter((l) => !(l.runId === req.runId && l.taskId === req.taskId));
      for (const requested of req.patterns) {
        for (const holder of others) {
          const overlap = globOverlap(requested, holder.pattern);
          if (overlap === null) continue;
          const message = `"${requested}" overlaps "${holder.pattern}" leased by task "${holder.taskId}" of run "${holder.runId}" (both match ${overlap}); ask that task's owner for the change, or wait until it finishes`;
          settings.events.append({
            runId: req.runId,
            taskId: req.taskId,
            type: 'lease.refused',
            patterns: [...req.patterns],
            holder: holder.taskId,
            overlap,
          });
          return { ok: false, holder, requested, overlap, message };
        }
      }
      const now = ctx.now();
      const expiresAt = now.getTime() + (req.ttlMs ?? settings.leaseTtlMs);
      const pid = req.pid ?? process.pid;
      const fresh = [...new Set(req.patterns)].filter((p) => !mine.some((l) => l.pattern === p));
      const insert = db.prepare(
        'INSERT INTO leases (run_id, task_id, pattern, pid, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      );
      for (const p of fresh) insert.run(req.runId, req.taskId, p, pid, now.toISOString(), expiresAt);
      ctx.touchLeases();
      // Re-acquiring is idempotent and renews: the holder may be a respawned process.
      db.prepare('UPDATE leases SET pid = ?, expires_at = ? WHERE run_id = ? AND task_id = ?').run(
        pid,
        expiresAt,
        req.runId,
        req.taskId,
      );
      if (fresh.length > 0)
        settings.events.append({
          runId: req.runId,
          taskId: req.taskId,
          type: 'lease.acquired',
          patterns: fresh,
        });
      return { ok: true, leases: all().filter((l) => l.runId === req.runId && l.taskId === req.taskId) };
    });
  };

  return {
    /** Acquire every pattern or none; refused when another task holds an overlapping live lease. */
    acquire,
    /** Release a task's leases (all, or the given patterns); returns what was released. */
    release(runId: string, taskId: string, patterns?: readonly string[]): Lease[] {
      return ctx.tx(() =>
        removeLogged(
          all().filter(
            (l) =>
              l.runId === runId &&
              l.taskId === taskId &&
              (patterns === undefined || patterns.includes(l.pattern)),
          ),
        ),
      );
    },
    /** Extend a task's leases by `ttlMs` from now (a heartbeat); returns how many were renewed. */
    renew(runId: string, taskId: string, ttlMs: number = settings.leaseTtlMs): number {
      return ctx.tx(() => {
        ctx.touchLeases(); // the guard reads expiry from the mirror
        return db
          .prepare('UPDATE leases SET expires_at = ? WHERE run_id = ? AND task_id = ?')
          .run(ctx.now().getTime() + ttlMs, runId, taskId).changes;
      });
    },
    /** Leases currently stored (dead ones included until swept), optionally of one run or task. */
    list(filter: { runId?: string; taskId?: string } = {}): Lease[] {
      return all().filter(
        (l) =>
          (filter.runId === undefined || l.runId === filter.runId) &&
          (filter.taskId === undefined || l.taskId === filter.taskId),
      );
    },
    /** Stored leases whose task is not finished (expired ones and dead holders included until swept). */
    held(): Lease[] {
      return all().filter((l) => finished.get(l.runId, l.taskId, ...LIVE_TASK_STATUSES) === undefined);
    },
    /** The stored leases whose pattern matches a repository-relative path (who owns this file?). */
    holdersOf(path: string): Lease[] {
      return all().filter((l) => matchesGlob(path, l.pattern));
    },
    /** Release leases of finished tasks, dead processes and expired leases; returns them. */
    sweep(): Lease[] {
      return ctx.tx(sweepLocked);
    },
  };
}

/** The leases API of the hub. */
export type LeaseStore = ReturnType<typeof createLeaseStore>;
