import { z } from 'zod';
import { type Handoff, handoffSchema, parseWith } from '../domain/index.js';
import { OrchestraError } from '../errors.js';
import { isoTime, jsonColumn, readRows, type StoreContext } from './sql.js';

/** A handoff envelope written by (or for) a task of a run. */
export const handoffRecordSchema = z.object({
  id: z.number().int(),
  runId: z.string(),
  taskId: z.string(),
  handoff: jsonColumn(handoffSchema),
  createdAt: isoTime,
});
/** A handoff stored in the hub, with its task and time. */
export type HandoffRecord = z.output<typeof handoffRecordSchema>;

const SELECT = `SELECT id, run_id AS runId, task_id AS taskId, body AS handoff, created_at AS createdAt
  FROM handoffs`;

/** Handoff envelopes (the article's Pattern 4), kept per producing task. */
export function createHandoffStore(ctx: StoreContext) {
  const { db } = ctx;
  return {
    /** Store the handoff a task produced (on completion, or when it was terminated). */
    put(runId: string, taskId: string, handoff: z.input<typeof handoffSchema>): HandoffRecord {
      const parsed = parseWith(handoffSchema, handoff);
      if (!parsed.success) throw new OrchestraError('invalid-handoff', `invalid handoff: ${parsed.error}`);
      const createdAt = ctx.now().toISOString();
      const r = db
        .prepare('INSERT INTO handoffs (run_id, task_id, body, created_at) VALUES (?, ?, ?, ?)')
        .run(runId, taskId, JSON.stringify(parsed.value), createdAt);
      return { id: Number(r.lastInsertRowid), runId, taskId, handoff: parsed.value, createdAt };
    },
    /** Every handoff a task produced, oldest first. */
    forTask(runId: string, taskId: string): HandoffRecord[] {
      const rows = db.prepare(`${SELECT} WHERE run_id = ? AND task_id = ? ORDER BY id`).all(runId, taskId);
      return readRows(handoffRecordSchema, rows, 'handoff');
    },
    /** The newest handoff of a task, if any. */
    latest(runId: string, taskId: string): Handoff | undefined {
      const rows = db
        .prepare(`${SELECT} WHERE run_id = ? AND task_id = ? ORDER BY id DESC LIMIT 1`)
        .all(runId, taskId);
      return readRows(handoffRecordSchema, rows, 'handoff')[0]?.handoff;
    },
  };
}

/** The handoffs API of the hub. */
export type HandoffStore = ReturnType<typeof createHandoffStore>;
