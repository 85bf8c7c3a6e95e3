import { z } from 'zod';
import { isoTime, readRows, type StoreContext } from './sql.js';

/** The layers tokens are accounted to (the article's token economics). */
export const USAGE_LAYERS = ['orchestrator', 'specialist', 'validation', 'baseline'] as const;
export type UsageLayer = (typeof USAGE_LAYERS)[number];

const tokens = z.number().int().nonnegative();

/** Token usage and cost of one model call (or one reported total) of a layer, task and attempt. */
export const usageRecordSchema = z.object({
  id: z.number().int(),
  runId: z.string(),
  taskId: z.string().nullable(),
  attempt: z.number().int().nullable(),
  layer: z.enum(USAGE_LAYERS),
  model: z.string().nullable(),
  inputTokens: tokens,
  outputTokens: tokens,
  cacheCreationInputTokens: tokens,
  cacheReadInputTokens: tokens,
  costUsd: z.number().nonnegative(),
  at: isoTime,
});
export type UsageRecord = z.output<typeof usageRecordSchema>;

/** Usage to record. */
export interface NewUsage {
  runId: string;
  taskId?: string | null;
  attempt?: number | null;
  layer: UsageLayer;
  model?: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens?: number;
  cacheReadInputTokens?: number;
  costUsd?: number;
}

/** Sums of usage for one layer or task (`key`), or for the whole run (`key` = "total"). */
export const usageTotalsSchema = z.object({
  key: z.string(),
  calls: z.number().int().nonnegative(),
  inputTokens: tokens,
  outputTokens: tokens,
  cacheCreationInputTokens: tokens,
  cacheReadInputTokens: tokens,
  costUsd: z.number().nonnegative(),
});
export type UsageTotals = z.output<typeof usageTotalsSchema>;

const SUMS = `COUNT(*) AS calls, COALESCE(SUM(input_tokens), 0) AS inputTokens,
  COALESCE(SUM(output_tokens), 0) AS outputTokens, COALESCE(SUM(cache_creation_tokens), 0) AS cacheCreationInputTokens,
  COALESCE(SUM(cache_read_tokens), 0) AS cacheReadInputTokens, COALESCE(SUM(cost_usd), 0.0) AS costUsd`;

/** Tokens and cost per run, layer, task and attempt. */
export function createUsageStore(ctx: StoreContext) {
  const { db } = ctx;
  return {
    /** Record usage. */
    add(u: NewUsage): UsageRecord {
      const row = {
        runId: u.runId,
        taskId: u.taskId ?? null,
        attempt: u.attempt ?? null,
        layer: u.layer,
        model: u.model ?? null,
        inputTokens: u.inputTokens,
        outputTokens: u.outputTokens,
        cacheCreationInputTokens: u.cacheCreationInputTokens ?? 0,
        cacheReadInputTokens: u.cacheReadInputTokens ?? 0,
        costUsd: u.costUsd ?? 0,
        at: ctx.now().toISOString(),
      };
      const parsed = usageRecordSchema.omit({ id: true }).parse(row);
      const r = db
        .prepare(
          `INSERT INTO usage (run_id, task_id, attempt, layer, model, input_tokens, output_tokens,
             cache_creation_tokens, cache_read_tokens, cost_usd, at)
           VALUES (@runId, @taskId, @attempt, @layer, @model, @inputTokens, @outputTokens,
             @cacheCreationInputTokens, @cacheReadInputTokens, @costUsd, @at)`,
        )
        .run(parsed);
      return { ...parsed, id: Number(r.lastInsertRowid) };
    },
    /** Every usage record of a run (or of one task), in order. */
    list(runId: string, taskId?: string): UsageRecord[] {
      const sql = `SELECT id, run_id AS runId, task_id AS taskId, attempt, layer, model, input_tokens AS inputTokens,
        output_tokens AS outputTokens, cache_creation_tokens AS cacheCreationInputTokens,
        cache_read_tokens AS cacheReadInputTokens, cost_usd AS costUsd, at FROM usage WHERE run_id = ?
        ${taskId === undefined ? '' : 'AND task_id = ?'} ORDER BY id`;
      const rows = taskId === undefined ? db.prepare(sql).all(runId) : db.prepare(sql).all(runId, taskId);
      return readRows(usageRecordSchema, rows, 'usage');
    },
    /**
     * Totals of a run grouped by layer or by task (usage outside any task is grouped under
     * "(run)"), plus the run's total.
     */
    summary(runId: string, by: 'layer' | 'task' = 'layer'): { groups: UsageTotals[]; total: UsageTotals } {
      const key = by === 'layer' ? 'layer' : "COALESCE(task_id, '(run)')";
      const groups = db
        .prepare(`SELECT ${key} AS key, ${SUMS} FROM usage WHERE run_id = ? GROUP BY ${key} ORDER BY MIN(id)`)
        .all(runId);
      const total = db.prepare(`SELECT 'total' AS key, ${SUMS} FROM usage WHERE run_id = ?`).all(runId);
      return {
        groups: readRows(usageTotalsSchema, groups, 'usage summary'),
        total: readRows(usageTotalsSchema, total, 'usage summary')[0] as UsageTotals,
      };
    },
  };
}

/** The usage API of the hub. */
export type UsageStore = ReturnType<typeof createUsageStore>;
