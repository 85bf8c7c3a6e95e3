import { z } from 'zod';
import { OrchestraError } from '../errors.js';
import { isoTime, readRow, readRows, type StoreContext } from './sql.js';

/**
 * A fix task's progress. `resolved`: its owner changed something for it (the next validation
 * reopens what still fails); `escalated`: its owner changed nothing and said why, so it goes to
 * the user instead of being sent again; `abandoned`: set aside (its owner left the plan, a resume).
 */
export const FIX_STATUSES = ['open', 'dispatched', 'resolved', 'escalated', 'abandoned'] as const;
export type FixStatus = (typeof FIX_STATUSES)[number];

/** A problem found in integration, routed to the task that owns the code. */
export const fixTaskSchema = z.object({
  id: z.number().int(),
  runId: z.string(),
  ownerTask: z.string(),
  description: z.string(),
  contractId: z.string().nullable(),
  expected: z.string().nullable(),
  actual: z.string().nullable(),
  /** What found it (a validator finding kind, "merge", "criteria"…). */
  source: z.string().nullable(),
  status: z.enum(FIX_STATUSES),
  createdAt: isoTime,
  updatedAt: isoTime,
});
/** A fix task sent to a task's owner, and where it stands. */
export type FixTask = z.output<typeof fixTaskSchema>;

/** A fix task to record. */
export interface NewFixTask {
  runId: string;
  ownerTask: string;
  description: string;
  contractId?: string | null;
  expected?: string | null;
  actual?: string | null;
  source?: string | null;
}

const SELECT = `SELECT id, run_id AS runId, owner_task AS ownerTask, description, contract_id AS contractId,
  expected, actual, source, status, created_at AS createdAt, updated_at AS updatedAt FROM fixes`;

/** Fix tasks written by the integration validator for the run engine. */
export function createFixStore(ctx: StoreContext) {
  const { db } = ctx;
  const get = (id: number): FixTask | undefined => {
    const row = db.prepare(`${SELECT} WHERE id = ?`).get(id);
    return row === undefined ? undefined : readRow(fixTaskSchema, row, 'fix task');
  };
  return {
    /** Record an open fix task. */
    add(f: NewFixTask): FixTask {
      const at = ctx.now().toISOString();
      const r = db
        .prepare(
          `INSERT INTO fixes (run_id, owner_task, description, contract_id, expected, actual, source, status,
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
        )
        .run(
          f.runId,
          f.ownerTask,
          f.description,
          f.contractId ?? null,
          f.expected ?? null,
          f.actual ?? null,
          f.source ?? null,
          at,
          at,
        );
      return get(Number(r.lastInsertRowid)) as FixTask;
    },
    /** The fix task with this id, or undefined. */
    get,
    /** Fix tasks of a run, oldest first, filtered by owner and status. */
    list(runId: string, filter: { ownerTask?: string; status?: FixStatus } = {}): FixTask[] {
      const rows = db.prepare(`${SELECT} WHERE run_id = ? ORDER BY id`).all(runId);
      return readRows(fixTaskSchema, rows, 'fix task').filter(
        (f) =>
          (filter.ownerTask === undefined || f.ownerTask === filter.ownerTask) &&
          (filter.status === undefined || f.status === filter.status),
      );
    },
    /** Move a fix task to a status. */
    setStatus(id: number, status: FixStatus): FixTask {
      const r = db
        .prepare('UPDATE fixes SET status = ?, updated_at = ? WHERE id = ?')
        .run(status, ctx.now().toISOString(), id);
      if (r.changes === 0) throw new OrchestraError('unknown-fix', `no fix task ${id} in the hub`);
      return get(id) as FixTask;
    },
  };
}

/** The fix-task API of the hub. */
export type FixStore = ReturnType<typeof createFixStore>;
