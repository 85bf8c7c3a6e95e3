import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_LOCK_FILE, withRepoLock } from './lock.js';
import { processStamp } from './process-liveness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOCK_MODULE = new URL('./lock.ts', import.meta.url).href;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orchestra-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A critical section that notices any other holder inside it, and a counter that loses updates without the lock. */
async function critical(d: string): Promise<void> {
  const inside = join(d, 'inside');
  if (existsSync(inside)) throw new Error('two holders at once');
  writeFileSync(inside, '');
  const n = Number(readFileSync(join(d, 'counter'), 'utf8'));
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  writeFileSync(join(d, 'counter'), String(n + 1));
  rmSync(inside);
}

describe('withRepoLock', () => {
  it('serializes concurrent holders in one process and leaves no lock file', async () => {
    writeFileSync(join(dir, 'counter'), '0');
    await Promise.all(Array.from({ length: 20 }, () => withRepoLock(dir, () => critical(dir))));
    expect(readFileSync(join(dir, 'counter'), 'utf8')).toBe('20');
    expect(existsSync(join(dir, REPO_LOCK_FILE))).toBe(false);
  });

  it('the same critical section without the lock loses updates (the test above can fail)', async () => {
    writeFileSync(join(dir, 'counter'), '0');
    const runs = await Promise.allSettled(Array.from({ length: 20 }, () => critical(dir)));
    const lost =
      runs.some((r) => r.status === 'rejected') || readFileSync(join(dir, 'counter'), 'utf8') !== '20';
    expect(lost).toBe(true);
  });

  it('serializes holders across processes', async () => {
    writeFileSync(join(dir, 'counter'), '0');
    const script = join(dir, 'child.mts');
    writeFileSync(
      script,
      `import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
       import { readFile } from 'node:fs/promises';
       import { join } from 'node:path';
       const { withRepoLock } = await import(${JSON.stringify(LOCK_MODULE)});
       const d = process.argv[2];
       async function critical(d) {
         const inside = join(d, 'inside');
         if (existsSync(inside)) throw new Error('two holders at once');
         writeFileSync(inside, '');
         const n = Number(readFileSync(join(d, 'counter'), 'utf8'));
         for (let i = 0; i < 3; i++) await readFile(join(d, 'counter'));
         writeFileSync(join(d, 'counter'), String(n + 1));
         rmSync(inside);
       }
       // A barrier: every child starts its loop when the parent says go.
       process.stdout.write('ready\\n');
       await new Promise((r) => process.stdin.once('data', r));
       for (let i = 0; i < 50; i++) await withRepoLock(d, () => critical(d));
       process.stdin.destroy();`,
    );
    const children = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['--import', 'tsx', script, dir], {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    await Promise.all(children.map((c) => new Promise((r) => c.stdout.once('data', r))));
    for (const c of children) c.stdin.write('go\n');
    const codes = await Promise.all(
      children.map(
        (c) =>
          new Promise<{ code: number | null; err: string }>((res) => {
            let err = '';
            c.stderr.on('data', (b) => {
              err += String(b);
            });
            c.on('close', (code) => res({ code, err }));
          }),
      ),
    );
    for (const c of codes) expect(c, c.err).toEqual({ code: 0, err: '' });
    expect(readFileSync(join(dir, 'counter'), 'utf8')).toBe('200');
  });

  it('takes over a lock left by a dead process', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.pid'], { encoding: 'utf8' });
    expect(dead.status).toBe(0);
    const stamp = { ...processStamp(), pid: dead.pid as number };
    writeFileSync(join(dir, REPO_LOCK_FILE), JSON.stringify({ ...stamp, nonce: 'old', since: 'then' }));
    expect(await withRepoLock(dir, async () => 'ran')).toBe('ran');
    expect(existsSync(join(dir, REPO_LOCK_FILE))).toBe(false);
  });

  it('takes over a lock left by an earlier process that had our pid', async () => {
    writeFileSync(
      join(dir, REPO_LOCK_FILE),
      JSON.stringify({ ...processStamp(), nonce: 'x', since: 'then' }),
    );
    expect(await withRepoLock(dir, async () => 'ran')).toBe('ran');
  });

  it('waits for a live holder and times out naming it, leaving its lock in place', async () => {
    const foreign = { pid: 4242, host: 'elsewhere', nonce: 'theirs', since: '2026-01-01T00:00:00.000Z' };
    writeFileSync(join(dir, REPO_LOCK_FILE), JSON.stringify(foreign));
    let clock = 0;
    const slept: number[] = [];
    const run = withRepoLock(dir, async () => 'ran', {
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
      timeoutMs: 1000,
    });
    await expect(run).rejects.toThrow(/held by pid 4242 on elsewhere/);
    expect(slept.length).toBeGreaterThan(3);
    expect(JSON.parse(readFileSync(join(dir, REPO_LOCK_FILE), 'utf8')).nonce).toBe('theirs');
  });

  it('acquires once the live holder releases', async () => {
    writeFileSync(join(dir, REPO_LOCK_FILE), JSON.stringify({ pid: 1, host: 'h', nonce: 'n', since: 's' }));
    let sleeps = 0;
    const out = await withRepoLock(dir, async () => 'ran', {
      isAlive: () => true,
      sleep: async () => {
        if (++sleeps === 3) rmSync(join(dir, REPO_LOCK_FILE));
      },
    });
    expect(out).toBe('ran');
    expect(sleeps).toBe(3);
  });

  it('is re-entrant for the same repository and releases after a throw', async () => {
    const out = await withRepoLock(dir, () => withRepoLock(dir, async () => 'inner'));
    expect(out).toBe('inner');
    await expect(
      withRepoLock(dir, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(existsSync(join(dir, REPO_LOCK_FILE))).toBe(false);
    expect(await withRepoLock(dir, async () => 'after')).toBe('after');
  });
});
