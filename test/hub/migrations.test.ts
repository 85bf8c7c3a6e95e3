import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HUB_SCHEMA_VERSION, MIGRATIONS, migrate, openHub } from '../../src/hub/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hub-migrate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fixture = readFileSync(new URL('./fixtures/hub-v1.sql', import.meta.url), 'utf8');

describe('hub migrations', () => {
  it('a new hub is at the newest version, in WAL mode with foreign keys', () => {
    const hub = openHub({ path: join(dir, 'nested', 'hub.db') });
    expect(hub.schemaVersion()).toBe(HUB_SCHEMA_VERSION);
    expect(HUB_SCHEMA_VERSION).toBe(MIGRATIONS.length);
    hub.close();
    const raw = new Database(join(dir, 'nested', 'hub.db'));
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('brings a version-1 database forward, keeping its data and adding the new tables', () => {
    const path = join(dir, 'hub.db');
    const raw = new Database(path);
    raw.exec(fixture);
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    raw.close();

    const hub = openHub({ path });
    expect(hub.schemaVersion()).toBe(HUB_SCHEMA_VERSION);
    expect(hub.runs.get('run-v1')).toMatchObject({ status: 'running', config: { maxParallel: 4 } });
    expect(hub.tasks.get('run-v1', 'types')?.result?.summary).toBe('types written');
    expect(hub.events.list({ runId: 'run-v1' }).map((e) => e.type)).toEqual(['run.started']);
    expect(hub.contracts.get('run-v1', 'operation')?.version).toBe(1);
    expect(hub.handoffs.latest('run-v1', 'types')?.artifacts.interfaces).toEqual(['Operation']);
    // Tables of version 2 work on the migrated file.
    expect(hub.leases.acquire({ runId: 'run-v1', taskId: 'ws', patterns: ['src/ws/**'] }).ok).toBe(true);
    hub.usage.add({ runId: 'run-v1', layer: 'specialist', inputTokens: 1, outputTokens: 2 });
    hub.fixes.add({ runId: 'run-v1', ownerTask: 'types', description: 'x' });
    expect(hub.integrityCheck()).toBe('ok');
    hub.close();
  });

  it('refuses a database written by a newer Orchestra', () => {
    const path = join(dir, 'hub.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${HUB_SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openHub({ path })).toThrow(/newer than this Orchestra understands/);
  });

  it('a failing step rolls back and leaves the previous version', () => {
    const db = new Database(':memory:');
    const steps = [
      { version: 1, description: 'ok', sql: 'CREATE TABLE a (x INTEGER);' },
      { version: 2, description: 'broken', sql: 'CREATE TABLE b (y INTEGER); INSERT INTO nope VALUES (1);' },
    ];
    expect(() => migrate(db, steps)).toThrow(/no such table: nope/);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").all()).toEqual([]);
    expect(migrate(db, steps.slice(0, 1))).toBe(1);
    db.close();
  });

  it('opens read-only for inspection: reads work, writes are refused, a missing file is an error', () => {
    const path = join(dir, 'hub.db');
    const hub = openHub({ path });
    hub.runs.create({ id: 'r1', goal: 'g', repo: dir });
    hub.close();
    const ro = openHub({ path, readonly: true });
    expect(ro.runs.get('r1')?.goal).toBe('g');
    expect(() => ro.runs.create({ id: 'r2', goal: 'g', repo: dir })).toThrow(/readonly/);
    ro.close();
    expect(() => openHub({ path: join(dir, 'none.db'), readonly: true })).toThrow(
      /cannot open the hub database/,
    );
  });
});
