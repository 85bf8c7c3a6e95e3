import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { OrchestraError } from '../errors.js';
import { ensureWorkDir } from '../git/index.js';
import { createCompletionStore } from './completions.js';
import { createConflictStore } from './conflicts.js';
import { createContractStore } from './contracts.js';
import { createDecisionStore } from './decisions.js';
import { createEventStore } from './events.js';
import { createFixStore } from './fixes.js';
import { createHandoffStore } from './handoffs.js';
import { buildLeaseMirror, dropLeaseMirror, type MirrorSource, writeLeaseMirror } from './lease-mirror.js';
import { createLeaseStore, isPidAlive } from './leases.js';
import { migrate } from './migrations.js';
import { createRunStore } from './runs.js';
import { type Db, readRows, type StoreContext } from './sql.js';
import { createTaskStore, LIVE_TASK_STATUSES } from './tasks.js';
import { createUsageStore } from './usage.js';

const taskWorktreeSchema = z.object({ runId: z.string(), taskId: z.string(), worktree: z.string() });

/** Where the hub lives inside a repository. */
export const HUB_DIR = '.orchestra';
/** The hub database file name inside `.orchestra/`. */
export const HUB_FILE = 'hub.db';

/** The hub database path of a repository. */
export function hubPath(repoRoot: string): string {
  return join(repoRoot, HUB_DIR, HUB_FILE);
}

/** Settings of `openHub`. Everything that touches the world is injectable. */
export interface HubSettings {
  /** A file path, or ":memory:" for tests. The parent directory is created. */
  path: string;
  now?: () => Date;
  /** Process liveness for lease sweeping. */
  isAlive?: (pid: number) => boolean;
  /** Lifetime of a lease without renewal (default 15 minutes). */
  leaseTtlMs?: number;
  /** How long a writer waits for another process's write lock (default 15 s). */
  busyTimeoutMs?: number;
  readonly?: boolean;
}

/**
 * Open (creating and migrating as needed) the context hub: WAL for concurrent readers, a busy
 * timeout so writers from several processes queue instead of failing, foreign keys on.
 */
export function openHub(settings: HubSettings) {
  const { path } = settings;
  if (path !== ':memory:' && !settings.readonly) {
    const dir = dirname(path);
    // In a repository's .orchestra/, keep the directory out of the user's `git status`.
    if (basename(dir) === HUB_DIR) ensureWorkDir(dirname(dir));
    else mkdirSync(dir, { recursive: true });
  }
  let db: Db;
  try {
    db = new Database(path, {
      readonly: settings.readonly ?? false,
      fileMustExist: settings.readonly ?? false,
      timeout: settings.busyTimeoutMs ?? 15_000,
    });
  } catch (e) {
    throw new OrchestraError(
      'hub-open-failed',
      `cannot open the hub database ${path}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  try {
    if (!settings.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    if (!settings.readonly) migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }

  // The lease mirror (see lease-mirror.ts) of a repository's hub, the one the collision guard reads,
  // rewritten at the end of the outermost transaction that touched leases or tasks, under the write lock.
  const mirrored = path !== ':memory:' && !settings.readonly && basename(dirname(path)) === HUB_DIR;
  let depth = 0;
  let touched = false;
  const writeMirror = (): void => writeLeaseMirror(path, buildLeaseMirror(path, mirrorSource()));
  const tx = <T>(fn: () => T): T => {
    if (depth > 0) return db.transaction(fn).immediate();
    let wrote = false;
    try {
      return db
        .transaction(() => {
          depth++;
          try {
            const result = fn();
            if (touched && mirrored) {
              writeMirror();
              wrote = true;
            }
            return result;
          } finally {
            depth--;
          }
        })
        .immediate();
    } catch (e) {
      // The mirror may now show what was rolled back: rewrite it from the hub, or drop it (the
      // guard then refuses writes during a run rather than trust it).
      if (wrote)
        try {
          db.transaction(writeMirror).immediate();
        } catch {
          dropLeaseMirror(path);
        }
      throw e;
    } finally {
      touched = false;
    }
  };
  const ctx: StoreContext = {
    db,
    now: settings.now ?? (() => new Date()),
    tx,
    touchLeases: () => {
      touched = true;
    },
  };
  const events = createEventStore(ctx);
  const decisions = createDecisionStore(ctx);
  const contracts = createContractStore(ctx);
  const leases = createLeaseStore(ctx, {
    events,
    isAlive: settings.isAlive ?? isPidAlive,
    leaseTtlMs: settings.leaseTtlMs ?? 15 * 60_000,
  });
  const runs = createRunStore(ctx, (runId, plan) => {
    for (const d of plan.architecture.decisions)
      decisions.add({
        runId,
        id: d.id,
        decision: d.decision,
        rationale: d.rationale ?? null,
        source: 'plan',
      });
    for (const c of plan.contracts) contracts.put(runId, c);
  });
  const tasks = createTaskStore(ctx, (runId, taskId) => {
    leases.release(runId, taskId);
  });

  const planTitles = new Map<string, Map<string, string>>();
  function mirrorSource(): MirrorSource {
    planTitles.clear();
    const titleOf = (runId: string, taskId: string): string | null => {
      let titles = planTitles.get(runId);
      if (titles === undefined) {
        try {
          titles = new Map((runs.get(runId)?.plan?.tasks ?? []).map((t) => [t.id, t.title]));
        } catch {
          titles = new Map(); // a title only names the task; a run row that does not parse has none
        }
        planTitles.set(runId, titles);
      }
      return titles.get(taskId) ?? null;
    };
    const liveWorktrees = readRows(
      taskWorktreeSchema,
      db
        .prepare(
          `SELECT run_id AS runId, id AS taskId, worktree FROM tasks
           WHERE worktree IS NOT NULL AND status IN (${LIVE_TASK_STATUSES.map(() => '?').join(', ')}) ORDER BY rowid`,
        )
        .all(...LIVE_TASK_STATUSES),
      'task',
    );
    return { held: leases.held(), liveWorktrees, titleOf, now: ctx.now() };
  }
  // A new or migrated hub publishes its mirror at once; an old one (or one removed) is replaced.
  if (mirrored) tx(ctx.touchLeases);

  return {
    /** The database file (or ":memory:"). */
    path,
    runs,
    tasks,
    events,
    decisions,
    contracts,
    completions: createCompletionStore(ctx),
    handoffs: createHandoffStore(ctx),
    conflicts: createConflictStore(ctx),
    fixes: createFixStore(ctx),
    usage: createUsageStore(ctx),
    leases,
    /** Run several hub calls as one atomic IMMEDIATE transaction. */
    transaction: ctx.tx,
    /** The schema version (`PRAGMA user_version`). */
    schemaVersion: (): number => db.pragma('user_version', { simple: true }) as number,
    /** `PRAGMA integrity_check`: "ok" when the file is sound. */
    integrityCheck: (): string =>
      (db.pragma('integrity_check') as Array<{ integrity_check: string }>)
        .map((r) => r.integrity_check)
        .join('\n'),
    /** Close the connection. */
    close: (): void => {
      db.close();
    },
  };
}

/** The context hub: every store of a run's shared state, over one SQLite connection. */
export type Hub = ReturnType<typeof openHub>;
