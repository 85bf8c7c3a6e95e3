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
/** Token use and cost recorded for one layer of one task. */
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

/** USD per million tokens: input, output (cache writes cost 1.25× input, cache reads 0.1×). */
const PRICES: ReadonlyArray<[RegExp, number, number]> = [
  [/opus-4-[5-9]|opus-[5-9]/, 5, 25],
  [/opus/, 15, 75],
  [/haiku-4|haiku-[5-9]/, 1, 5],
  [/haiku/, 0.8, 4],
  [/sonnet|claude/, 3, 15],
];

/**
 * What one model call cost, estimated from its tokens and the model's list price (Sonnet's when
 * the model is unknown). Used for turns whose attempt never reported its own total (a killed
 * process); an attempt's reported total replaces the estimates.
 */
export function estimateCostUsd(
  model: string | null | undefined,
  u: Pick<NewUsage, 'inputTokens' | 'outputTokens' | 'cacheCreationInputTokens' | 'cacheReadInputTokens'>,
): number {
  const [, input, output] = PRICES.find(([re]) => re.test(model ?? '')) ?? [/x/, 3, 15];
  const tokens =
    u.inputTokens * input +
    (u.cacheCreationInputTokens ?? 0) * input * 1.25 +
    (u.cacheReadInputTokens ?? 0) * input * 0.1 +
    u.outputTokens * output;
  return tokens / 1_000_000;
}

/** Which attempt's usage rows a settlement replaces. */
export interface UsageKey {
  runId: string;
  taskId: string | null;
  attempt: number | null;
  layer: UsageLayer;
}

/** Tokens and cost per run, layer, task and attempt. */
export function createUsageStore(ctx: StoreContext) {
  const { db } = ctx;
  const add = (u: NewUsage): UsageRecord => {
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
  };
  const WHERE_KEY = `run_id = @runId AND task_id IS @taskId AND attempt IS @attempt AND layer = @layer`;
  return {
    /** Record usage (one model turn as it streams, or a reported total). */
    add,
    /**
     * An attempt has ended: its reported total (`final`, the binary's own figures and cost) replaces
     * the per-turn rows written while it streamed, in one transaction. Without a report (a killed or
     * crashed process) the streamed turns stay, so what was spent is never lost; `final` is written
     * only when nothing was streamed.
     */
    settleAttempt(key: UsageKey, final: Omit<NewUsage, keyof UsageKey>, reported: boolean): void {
      const k = { runId: key.runId, taskId: key.taskId, attempt: key.attempt, layer: key.layer };
      db.transaction(() => {
        const streamed = (
          db.prepare(`SELECT COUNT(*) AS n FROM usage WHERE ${WHERE_KEY}`).get(k) as { n: number }
        ).n;
        if (!reported && streamed > 0) return;
        db.prepare(`DELETE FROM usage WHERE ${WHERE_KEY}`).run(k);
        add({ ...final, ...k });
      }).immediate();
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
