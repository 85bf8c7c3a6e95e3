import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HUB_SCHEMA_VERSION, openHub, type StoredEvent } from '../../src/hub/index.js';
import { replayLeases } from './lease-log.js';

const RACER = fileURLToPath(new URL('./lease-racer.ts', import.meta.url));
const WORKERS = 8;
const TOTAL_ATTEMPTS = 1000;
const DEADLINE_MS = 90_000;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hub-race-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface WorkerOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runWorker(args: string[]): Promise<WorkerOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RACER, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    // A worker stuck past the deadline is a deadlock: kill it and report it as such.
    const timer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('leases across processes', () => {
  it(`${WORKERS} processes race ${TOTAL_ATTEMPTS} times for overlapping leases: never two overlapping holders, no deadlock`, async () => {
    const path = join(dir, 'hub.db');
    const hub = openHub({ path });
    hub.runs.create({ id: 'race', goal: 'race for leases', repo: dir });

    const per = TOTAL_ATTEMPTS / WORKERS;
    const outcomes = await Promise.all(
      Array.from({ length: WORKERS }, (_, w) =>
        runWorker([path, 'race', String(w), String(per), String(1000 + w)]),
      ),
    );
    for (const o of outcomes)
      expect(o, `worker failed or deadlocked: ${o.stderr}`).toMatchObject({ code: 0, signal: null });
    const reports = outcomes.map((o) => JSON.parse(o.stdout) as { granted: number; refused: number });
    const granted = reports.reduce((n, r) => n + r.granted, 0);
    const refused = reports.reduce((n, r) => n + r.refused, 0);
    expect(granted + refused).toBe(TOTAL_ATTEMPTS);

    const log: StoredEvent[] = hub.events.list({
      runId: 'race',
      type: ['lease.acquired', 'lease.released', 'lease.refused'],
    });
    expect(log.filter((e) => e.type === 'lease.acquired')).toHaveLength(granted);
    expect(log.filter((e) => e.type === 'lease.refused')).toHaveLength(refused);
    const { violation, maxHolders } = replayLeases(log);
    expect(violation).toBeNull();
    // The race was real: grants and refusals both happened, and several workers held leases at once.
    expect(granted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
    expect(maxHolders).toBeGreaterThan(1);

    expect(hub.leases.list()).toEqual([]);
    expect(hub.integrityCheck()).toBe('ok');
    hub.close();
  });

  it('processes opening a new hub at the same moment all migrate it safely', async () => {
    const path = join(dir, 'fresh', 'hub.db');
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, w) => runWorker([path, 'none', String(w), '0', '1'])),
    );
    for (const o of outcomes) expect(o, o.stderr).toMatchObject({ code: 0, signal: null });
    const hub = openHub({ path });
    expect(hub.schemaVersion()).toBe(HUB_SCHEMA_VERSION);
    expect(hub.integrityCheck()).toBe('ok');
    hub.close();
  });
});
