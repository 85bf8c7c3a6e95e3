import { z } from 'zod';
import { isoTime, jsonColumn, readRows, type StoreContext } from './sql.js';

/** A task attempt that finished its work: what it did and where it is committed. */
export const completionSchema = z.object({
  runId: z.string(),
  taskId: z.string(),
  attempt: z.number().int().nonnegative(),
  summary: z.string(),
  commit: z.string().nullable(),
  files: jsonColumn(z.array(z.string())),
  completedAt: isoTime,
});
export type Completion = z.output<typeof completionSchema>;

/** A completion to record. */
export interface NewCompletion {
  runId: string;
  taskId: string;
  attempt: number;
  summary: string;
  commit?: string | null;
  files?: readonly string[];
}

/** Completed task attempts (the article's "completions"). */
export function createCompletionStore(ctx: StoreContext) {
  const { db } = ctx;
  return {
    /** Record a completion; recording the same attempt again replaces it. */
    add(c: NewCompletion): Completion {
      const row = {
        runId: c.runId,
        taskId: c.taskId,
        attempt: c.attempt,
        summary: c.summary,
        commit: c.commit ?? null,
        files: JSON.stringify(c.files ?? []),
        completedAt: ctx.now().toISOString(),
      };
      db.prepare(
        `INSERT OR REPLACE INTO completions (run_id, task_id, attempt, summary, commit_sha, files, completed_at)
         VALUES (@runId, @taskId, @attempt, @summary, @commit, @files, @completedAt)`,
      ).run(row);
      return completionSchema.parse(row);
    },
    /** Completions of a run (or of one task), in order. */
    list(runId: string, taskId?: string): Completion[] {
      const sql = `SELECT run_id AS runId, task_id AS taskId, attempt, summary, commit_sha AS "commit", files,
        completed_at AS completedAt FROM completions WHERE run_id = ?${taskId === undefined ? '' : ' AND task_id = ?'}
        ORDER BY rowid`;
      const rows = taskId === undefined ? db.prepare(sql).all(runId) : db.prepare(sql).all(runId, taskId);
      return readRows(completionSchema, rows, 'completion');
    },
  };
}

/** The completions API of the hub. */
export type CompletionStore = ReturnType<typeof createCompletionStore>;
