import { z } from 'zod';
import { isoTime, jsonColumn, readRows, type StoreContext } from './sql.js';

/** Kinds of conflict between tasks' work. */
export const CONFLICT_KINDS = ['merge', 'lease', 'contract', 'scope', 'other'] as const;

/** A conflict between the work of tasks: which files, which tasks. */
export const conflictSchema = z.object({
  id: z.number().int(),
  runId: z.string(),
  kind: z.enum(CONFLICT_KINDS),
  files: jsonColumn(z.array(z.string())),
  tasks: jsonColumn(z.array(z.string())),
  detail: z.string().nullable(),
  createdAt: isoTime,
});
export type Conflict = z.output<typeof conflictSchema>;

/** A conflict to record. */
export interface NewConflict {
  runId: string;
  kind: (typeof CONFLICT_KINDS)[number];
  files: readonly string[];
  tasks: readonly string[];
  detail?: string | null;
}

/** Conflicts found between tasks (merge conflicts, refused leases, contract disagreements). */
export function createConflictStore(ctx: StoreContext) {
  const { db } = ctx;
  const SELECT = `SELECT id, run_id AS runId, kind, files, tasks, detail, created_at AS createdAt FROM conflicts`;
  return {
    /** Record a conflict. */
    add(c: NewConflict): Conflict {
      const createdAt = ctx.now().toISOString();
      const r = db
        .prepare(
          'INSERT INTO conflicts (run_id, kind, files, tasks, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(c.runId, c.kind, JSON.stringify(c.files), JSON.stringify(c.tasks), c.detail ?? null, createdAt);
      return readRows(
        conflictSchema,
        [db.prepare(`${SELECT} WHERE id = ?`).get(r.lastInsertRowid)],
        'conflict',
      )[0] as Conflict;
    },
    /** Conflicts of a run, oldest first; with `taskId`, only those involving that task. */
    list(runId: string, filter: { taskId?: string } = {}): Conflict[] {
      const rows = db.prepare(`${SELECT} WHERE run_id = ? ORDER BY id`).all(runId);
      const all = readRows(conflictSchema, rows, 'conflict');
      const { taskId } = filter;
      return taskId === undefined ? all : all.filter((c) => c.tasks.includes(taskId));
    },
  };
}

/** The conflicts API of the hub. */
export type ConflictStore = ReturnType<typeof createConflictStore>;
