import { OrchestraError } from '../errors.js';
import type { Db } from './sql.js';

/** One step of the hub's schema; `version` is what `PRAGMA user_version` holds after it. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/**
 * The hub's schema, step by step. Never edit a released step: append a new one. Old databases
 * are brought forward on open (test/hub/fixtures keeps a version-1 database as SQL).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, tasks, the event log and shared knowledge',
    sql: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        goal TEXT NOT NULL,
        repo TEXT NOT NULL,
        base_commit TEXT,
        status TEXT NOT NULL,
        plan TEXT,
        config TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE tasks (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        status TEXT NOT NULL,
        agent TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        wave INTEGER,
        branch TEXT,
        worktree TEXT,
        session_id TEXT,
        result TEXT,
        reason TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (run_id, id)
      ) STRICT;
      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        task_id TEXT,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        body TEXT NOT NULL
      ) STRICT;
      CREATE INDEX events_by_task ON events (run_id, task_id, id);
      CREATE INDEX events_by_type ON events (run_id, type, id);
      CREATE TRIGGER events_append_only BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
      CREATE TABLE decisions (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        decision TEXT NOT NULL,
        rationale TEXT,
        task_id TEXT,
        source TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, id)
      ) STRICT;
      CREATE TABLE contracts (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        kind TEXT NOT NULL,
        owner TEXT NOT NULL,
        description TEXT,
        definition TEXT NOT NULL,
        author_task TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, id, version)
      ) STRICT;
      CREATE TABLE completions (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        task_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        summary TEXT NOT NULL,
        commit_sha TEXT,
        files TEXT NOT NULL,
        completed_at TEXT NOT NULL,
        PRIMARY KEY (run_id, task_id, attempt)
      ) STRICT;
      CREATE TABLE handoffs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        task_id TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX handoffs_by_task ON handoffs (run_id, task_id, id);
      CREATE TABLE conflicts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        files TEXT NOT NULL,
        tasks TEXT NOT NULL,
        detail TEXT,
        created_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    description: 'fix tasks, token usage and file-ownership leases',
    sql: `
      CREATE TABLE fixes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        owner_task TEXT NOT NULL,
        description TEXT NOT NULL,
        contract_id TEXT,
        expected TEXT,
        actual TEXT,
        source TEXT,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX fixes_by_owner ON fixes (run_id, owner_task);
      CREATE TABLE usage (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        task_id TEXT,
        attempt INTEGER,
        layer TEXT NOT NULL,
        model TEXT,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cache_creation_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cost_usd REAL NOT NULL,
        at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX usage_by_run ON usage (run_id, layer, task_id);
      CREATE TABLE leases (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        task_id TEXT NOT NULL,
        pattern TEXT NOT NULL,
        pid INTEGER NOT NULL,
        acquired_at TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, task_id, pattern)
      ) STRICT;
    `,
  },
  {
    version: 3,
    description: 'the commit each task branch started from (the base, or its dependencies merged)',
    sql: `
      ALTER TABLE tasks ADD COLUMN start_commit TEXT;
    `,
  },
];

/** The schema version a fully migrated hub has. */
export const HUB_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/**
 * Bring the database up to the newest version, one transaction per step so a crash leaves a
 * consistent version. A database newer than this code is refused rather than misread.
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw new OrchestraError(
      'hub-too-new',
      `the hub database has schema version ${current}, newer than this Orchestra understands (${latest}); upgrade Orchestra or use another .orchestra directory`,
    );
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      // Re-read under the write lock: another process may have applied this step meanwhile.
      if ((db.pragma('user_version', { simple: true }) as number) >= m.version) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
