import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bwrapCommand, detectSandbox } from '../src/sandbox/index.js';
import { runAttackSuite } from '../test/support/attack-suite.js';
import type { BenchModule } from './bench-module.js';

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The attack suite (test/e2e/sandbox-attacks.test.ts) through the real Claude Code binary: attempts
 * tried, refused or caught, and escaped (target: 0). Without a working bubblewrap the figures say so.
 */
export const securityBench: BenchModule = {
  name: 'security',
  async run() {
    const detection = detectSandbox();
    if (!detection.available) {
      return {
        json: { attacks: null, reason: detection.reason },
        rows: [['security.attacks', `not run: ${detection.reason}`, 'escaped = 0']],
      };
    }
    const r = await runAttackSuite(detection.runtime);
    const escaped = r.escaped.length;
    return {
      json: { attacks: { tried: r.tried, refused: r.tried - escaped, escaped } },
      rows: [
        ['security.attacks.tried', String(r.tried), '>= 200'],
        ['security.attacks.refused', String(r.tried - escaped), ''],
        ['security.attacks.escaped', String(escaped), '0'],
      ],
    };
  },
};

/** A sandboxed `true` ÷ a plain one, same run, median of many starts. */
export const sandboxBench: BenchModule = {
  name: 'sandbox',
  run() {
    const detection = detectSandbox();
    if (!detection.available) {
      return {
        json: { overheadRatio: null, reason: detection.reason },
        rows: [['sandbox.overheadRatio', `not run: ${detection.reason}`, '']],
      };
    }
    const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'orchestra-bench-sbx-')));
    try {
      const plain = { command: 'true', args: [] as string[] };
      const boxed = bwrapCommand(
        {
          argv: ['true'],
          cwd: dir,
          writable: [dir],
          network: true,
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        },
        detection.runtime.path,
      );
      const time = (c: { command: string; args: string[] }) => {
        const t0 = process.hrtime.bigint();
        const r = spawnSync(c.command, c.args, { cwd: dir, stdio: 'ignore' });
        if (r.status !== 0) throw new Error(`${c.command} exited ${r.status}`);
        return Number(process.hrtime.bigint() - t0) / 1e6;
      };
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
      const runs = 30;
      const plainMs: number[] = [];
      const boxedMs: number[] = [];
      for (let i = 0; i < runs; i++) {
        plainMs.push(time(plain));
        boxedMs.push(time(boxed));
      }
      const p = median(plainMs);
      const b = median(boxedMs);
      return {
        json: { overheadRatio: round(b / p), plainMs: round(p), sandboxedMs: round(b) },
        rows: [
          ['sandbox.plainMs', String(round(p)), ''],
          ['sandbox.sandboxedMs', String(round(b)), ''],
          ['sandbox.overheadRatio', String(round(b / p)), ''],
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
