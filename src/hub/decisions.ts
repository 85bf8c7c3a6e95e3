import { z } from 'zod';
import { isoTime, readRows, type StoreContext } from './sql.js';

/** Who recorded a decision. */
export const DECISION_SOURCES = ['plan', 'orchestrator', 'agent', 'user'] as const;

/** An architecture decision of a run. */
export const decisionRecordSchema = z.object({
  runId: z.string(),
  id: z.string(),
  decision: z.string(),
  rationale: z.string().nullable(),
  taskId: z.string().nullable(),
  source: z.enum(DECISION_SOURCES),
  createdAt: isoTime,
});
/** A decision stored in the hub, with where it came from. */
export type DecisionRecord = z.output<typeof decisionRecordSchema>;

/** A decision to record; recording an existing id revises it. */
export interface NewDecision {
  runId: string;
  id: string;
  decision: string;
  rationale?: string | null;
  taskId?: string | null;
  source?: (typeof DECISION_SOURCES)[number];
}

/** Architecture decisions every agent of a run must respect. */
export function createDecisionStore(ctx: StoreContext) {
  const { db } = ctx;
  return {
    /** Record (or revise) a decision. */
    add(d: NewDecision): DecisionRecord {
      const record = decisionRecordSchema.parse({
        runId: d.runId,
        id: d.id,
        decision: d.decision,
        rationale: d.rationale ?? null,
        taskId: d.taskId ?? null,
        source: d.source ?? 'agent',
        createdAt: ctx.now().toISOString(),
      });
      db.prepare(
        `INSERT INTO decisions (run_id, id, decision, rationale, task_id, source, created_at)
         VALUES (@runId, @id, @decision, @rationale, @taskId, @source, @createdAt)
         ON CONFLICT (run_id, id) DO UPDATE SET decision = @decision, rationale = @rationale,
           task_id = @taskId, source = @source, created_at = @createdAt`,
      ).run(record);
      return record;
    },
    /** The decisions of a run in the order they were first recorded. */
    list(runId: string): DecisionRecord[] {
      const rows = db
        .prepare(
          `SELECT run_id AS runId, id, decision, rationale, task_id AS taskId, source, created_at AS createdAt
           FROM decisions WHERE run_id = ? ORDER BY rowid`,
        )
        .all(runId);
      return readRows(decisionRecordSchema, rows, 'decision');
    },
  };
}

/** The decisions API of the hub. */
export type DecisionStore = ReturnType<typeof createDecisionStore>;
