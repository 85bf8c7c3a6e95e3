import { z } from 'zod';
import { type TaskResult, taskResultSchema } from '../domain/index.js';
import { OrchestraError } from '../errors.js';
import { isoTime, jsonColumn, readRow, readRows, type StoreContext, toJson } from './sql.js';

/** Task states in a run. Only `queued` and `running` tasks may hold leases. */
export const TASK_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'terminated',
  'merged',
  'blocked',
  'skipped',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses of a task that is still working or about to: the others release its leases. */
export const LIVE_TASK_STATUSES: readonly TaskStatus[] = ['queued', 'running'];

/** A task of a run as stored in the hub. */
export const taskRecordSchema = z.object({
  runId: z.string(),
  id: z.string(),
  status: z.enum(TASK_STATUSES),
  agent: z.string(),
  attempts: z.number().int().nonnegative(),
  wave: z.number().int().nullable(),
  branch: z.string().nullable(),
  worktree: z.string().nullable(),
  /** The commit the task's branch started from; its own diff is `startCommit..branch` (null: the run's base). */
  startCommit: z.string().nullable(),
  sessionId: z.string().nullable(),
  result: jsonColumn(taskResultSchema).nullable(),
  reason: z.string().nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
/** A task of a run stored in the hub: status, attempts, branch and result. */
export type TaskRecord = z.output<typeof taskRecordSchema>;

/** Fields of a task to create or change; omitted fields keep their stored value. */
export interface TaskPatch {
  runId: string;
  id: string;
  agent?: string;
  status?: TaskStatus;
  attempts?: number;
  wave?: number | null;
  branch?: string | null;
  worktree?: string | null;
  startCommit?: string | null;
  sessionId?: string | null;
  result?: TaskResult | null;
  reason?: string | null;
}

const SELECT = `SELECT run_id AS runId, id, status, agent, attempts, wave, branch, worktree,
  start_commit AS startCommit, session_id AS sessionId, result, reason, created_at AS createdAt, updated_at AS updatedAt FROM tasks`;

/** Tasks of runs. `onFinished` runs in the same transaction when a task leaves the live states. */
export function createTaskStore(ctx: StoreContext, onFinished: (runId: string, taskId: string) => void) {
  const { db } = ctx;
  const get = (runId: string, id: string): TaskRecord | undefined => {
    const row = db.prepare(`${SELECT} WHERE run_id = ? AND id = ?`).get(runId, id);
    return row === undefined ? undefined : readRow(taskRecordSchema, row, 'task');
  };
  const requireTask = (runId: string, id: string): TaskRecord => {
    const t = get(runId, id);
    if (!t) throw new OrchestraError('unknown-task', `no task "${id}" in run "${runId}"`);
    return t;
  };

  const upsert = (patch: TaskPatch): TaskRecord =>
    ctx.tx(() => {
      const old = get(patch.runId, patch.id);
      const agent = patch.agent ?? old?.agent;
      if (agent === undefined)
        throw new OrchestraError('task-needs-agent', `task "${patch.id}" is new: give its agent`);
      const pick = <K extends keyof TaskPatch & keyof TaskRecord>(k: K, fallback: TaskRecord[K]) =>
        patch[k] !== undefined ? patch[k] : old ? old[k] : fallback;
      const at = ctx.now().toISOString();
      const status = pick('status', 'queued') as TaskStatus;
      db.prepare(
        `INSERT INTO tasks (run_id, id, status, agent, attempts, wave, branch, worktree, start_commit,
           session_id, result, reason, created_at, updated_at)
         VALUES (@runId, @id, @status, @agent, @attempts, @wave, @branch, @worktree, @startCommit,
           @sessionId, @result, @reason, @at, @at)
         ON CONFLICT (run_id, id) DO UPDATE SET status = @status, agent = @agent, attempts = @attempts,
           wave = @wave, branch = @branch, worktree = @worktree, start_commit = @startCommit,
           session_id = @sessionId, result = @result, reason = @reason, updated_at = @at`,
      ).run({
        runId: patch.runId,
        id: patch.id,
        status,
        agent,
        attempts: pick('attempts', 0),
        wave: pick('wave', null),
        branch: pick('branch', null),
        worktree: pick('worktree', null),
        startCommit: pick('startCommit', null),
        sessionId: pick('sessionId', null),
        result: toJson(pick('result', null)),
        reason: pick('reason', null),
        at,
      });
      ctx.touchLeases(); // a task's status and worktree are part of the lease mirror
      if (!LIVE_TASK_STATUSES.includes(status)) onFinished(patch.runId, patch.id);
      return get(patch.runId, patch.id) as TaskRecord;
    });

  return {
    /** Create a task or change some of its fields. */
    upsert,
    /** The task, or undefined. */
    get,
    /** Tasks of a run in creation order, optionally only those with a status. */
    list(runId: string, filter: { status?: TaskStatus } = {}): TaskRecord[] {
      const rows =
        filter.status === undefined
          ? db.prepare(`${SELECT} WHERE run_id = ? ORDER BY rowid`).all(runId)
          : db.prepare(`${SELECT} WHERE run_id = ? AND status = ? ORDER BY rowid`).all(runId, filter.status);
      return readRows(taskRecordSchema, rows, 'task');
    },
    /** Move a task to a status (with a reason for failures and terminations). Finishing releases its leases. */
    setStatus(runId: string, id: string, status: TaskStatus, reason?: string): TaskRecord {
      requireTask(runId, id);
      return upsert({ runId, id, status, ...(reason === undefined ? {} : { reason }) });
    },
    /** Start the next attempt: attempts + 1, status running. */
    startAttempt(runId: string, id: string): TaskRecord {
      return ctx.tx(() => {
        const t = requireTask(runId, id);
        return upsert({ runId, id, status: 'running', attempts: t.attempts + 1, reason: null });
      });
    },
  };
}

/** The tasks API of the hub. */
export type TaskStore = ReturnType<typeof createTaskStore>;
