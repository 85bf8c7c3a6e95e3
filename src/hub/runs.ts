import { z } from 'zod';
import { type Plan, planSchema } from '../domain/index.js';
import { OrchestraError } from '../errors.js';
import { isoTime, jsonColumn, readRow, readRows, type StoreContext, toJson } from './sql.js';

/** Where a run stands. `stopped` is a clean stop (budget, signal) that `--resume` continues. */
export const RUN_STATUSES = ['planning', 'running', 'stopped', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A run as stored in the hub. */
export const runSchema = z.object({
  id: z.string(),
  goal: z.string(),
  repo: z.string(),
  baseCommit: z.string().nullable(),
  status: z.enum(RUN_STATUSES),
  plan: jsonColumn(planSchema).nullable(),
  config: jsonColumn(z.record(z.string(), z.unknown())).nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
/** A run stored in the hub: its request, plan, settings and status. */
export type Run = z.output<typeof runSchema>;

/** What a new run needs. The plan's decisions and contracts (version 1) are seeded with it. */
export interface NewRun {
  id: string;
  goal: string;
  repo: string;
  baseCommit?: string | null;
  status?: RunStatus;
  plan?: Plan | null;
  /** The configuration the run was started with, so a resume uses the same settings. */
  config?: Record<string, unknown> | null;
}

const SELECT = `SELECT id, goal, repo, base_commit AS baseCommit, status, plan, config,
  created_at AS createdAt, updated_at AS updatedAt FROM runs`;

/** Runs: one row per `orchestra run`. */
export function createRunStore(ctx: StoreContext, seed: (runId: string, plan: Plan) => void) {
  const { db } = ctx;
  const get = (id: string): Run | undefined => {
    const row = db.prepare(`${SELECT} WHERE id = ?`).get(id);
    return row === undefined ? undefined : readRow(runSchema, row, 'run');
  };
  return {
    /** Create a run; with a plan, also record its decisions and contracts. */
    create(run: NewRun): Run {
      return ctx.tx(() => {
        const at = ctx.now().toISOString();
        db.prepare(
          `INSERT INTO runs (id, goal, repo, base_commit, status, plan, config, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          run.id,
          run.goal,
          run.repo,
          run.baseCommit ?? null,
          run.status ?? 'planning',
          toJson(run.plan),
          toJson(run.config),
          at,
          at,
        );
        if (run.plan) seed(run.id, run.plan);
        return get(run.id) as Run;
      });
    },
    /** The run, or undefined. */
    get,
    /** The run; a missing run is a user error naming the id. */
    require(id: string): Run {
      const run = get(id);
      if (!run)
        throw new OrchestraError('unknown-run', `no run "${id}" in the hub; \`orchestra runs\` lists them`, {
          userError: true,
        });
      return run;
    },
    /** Runs, newest first, optionally only those with a status. */
    list(filter: { status?: RunStatus } = {}): Run[] {
      const rows =
        filter.status === undefined
          ? db.prepare(`${SELECT} ORDER BY created_at DESC, rowid DESC`).all()
          : db.prepare(`${SELECT} WHERE status = ? ORDER BY created_at DESC, rowid DESC`).all(filter.status);
      return readRows(runSchema, rows, 'run');
    },
    /** Move a run to a status. */
    setStatus(id: string, status: RunStatus): Run {
      const r = db
        .prepare('UPDATE runs SET status = ?, updated_at = ? WHERE id = ?')
        .run(status, ctx.now().toISOString(), id);
      if (r.changes === 0) throw new OrchestraError('unknown-run', `no run "${id}" in the hub`);
      return get(id) as Run;
    },
    /** Record the commit the run's tasks branch from (kept across resumes). */
    setBase(id: string, baseCommit: string): Run {
      const r = db
        .prepare('UPDATE runs SET base_commit = ?, updated_at = ? WHERE id = ?')
        .run(baseCommit, ctx.now().toISOString(), id);
      if (r.changes === 0) throw new OrchestraError('unknown-run', `no run "${id}" in the hub`);
      return get(id) as Run;
    },
    /** Record the settings a run was started with, so a resume plays by the same rules. */
    setConfig(id: string, config: Record<string, unknown>): Run {
      const r = db
        .prepare('UPDATE runs SET config = ?, updated_at = ? WHERE id = ?')
        .run(JSON.stringify(config), ctx.now().toISOString(), id);
      if (r.changes === 0) throw new OrchestraError('unknown-run', `no run "${id}" in the hub`);
      return get(id) as Run;
    },
    /**
     * Replace the stored plan (after a repair or a fix wave added tasks); `seed` also records its
     * decisions and contracts, as `create` does (a run created before its plan was made).
     */
    setPlan(id: string, plan: Plan, options: { seed?: boolean } = {}): Run {
      return ctx.tx(() => {
        db.prepare('UPDATE runs SET plan = ?, updated_at = ? WHERE id = ?').run(
          JSON.stringify(plan),
          ctx.now().toISOString(),
          id,
        );
        if (options.seed) seed(id, plan);
        return get(id) as Run;
      });
    },
  };
}

/** The runs API of the hub. */
export type RunStore = ReturnType<typeof createRunStore>;
