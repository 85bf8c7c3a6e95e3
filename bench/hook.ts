import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markRunActive } from '../src/guard/index.js';
import { hubPath, openHub } from '../src/hub/index.js';
import type { BenchModule } from './bench-module.js';

const ROUNDS = 25;
const HOOK = fileURLToPath(new URL('../plugin/scripts/guard.cjs', import.meta.url));

const round = (x: number) => Math.round(x * 1000) / 1000;
const p50 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Wall time of one process run to its end, stdin given; its stdout must be as expected. */
function timed(args: string[], input: string, expect: RegExp = /^$/): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { input, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${String(r.status)}: ${r.stderr}`);
  // A guard that answered wrongly would be fast for nothing.
  if (!expect.test(r.stdout)) throw new Error(`${args.join(' ')} answered ${JSON.stringify(r.stdout)}`);
  return ms;
}

const DENIED = /"permissionDecision":"deny".*held by task \\"api\\"/;

/** A repository whose run `bench` holds `src/api/**` (this process holds the lease), and one with no run. */
function fixtures() {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-bench-hook-'));
  const live = join(dir, 'live');
  const idle = join(dir, 'idle');
  for (const d of [live, idle]) mkdirSync(join(d, '.git'), { recursive: true });
  const hub = openHub({ path: hubPath(live) });
  hub.runs.create({ id: 'bench', goal: 'bench', repo: live, status: 'running' });
  hub.tasks.upsert({ runId: 'bench', id: 'api', agent: 'backend-specialist', status: 'running' });
  const lease = hub.leases.acquire({ runId: 'bench', taskId: 'api', patterns: ['src/api/**'] });
  hub.close();
  if (!lease.ok) throw new Error(lease.message);
  const unmark = markRunActive(live, 'bench');
  return {
    live,
    idle,
    cleanup: () => {
      unmark();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const hookInput = (root: string) =>
  JSON.stringify({
    hook_event_name: 'PreToolUse',
    tool_name: 'Write',
    tool_input: { file_path: join(root, 'src/api/x.ts'), content: 'x' },
    cwd: root,
  });

/**
 * The collision guard as Claude Code runs it (`node plugin/scripts/guard.cjs`, the plugin's hook),
 * against `node -e 0` measured in the same rounds, interleaved: while a run holds the target (the
 * lease lookup, the slow path: `p50Ms`, `ratioToNodeStart`, target ≤ 1.3) and with no run in the
 * repository (`idleP50Ms`, `idleRatioToNodeStart`).
 */
export const hookBench: BenchModule = {
  name: 'hook',
  run() {
    const f = fixtures();
    try {
      const node: number[] = [];
      const active: number[] = [];
      const idle: number[] = [];
      // Warm the compile cache and the page cache first; those runs are not counted.
      timed([HOOK], hookInput(f.live), DENIED);
      for (let i = 0; i < ROUNDS; i++) {
        node.push(timed(['-e', '0'], ''));
        active.push(timed([HOOK], hookInput(f.live), DENIED));
        idle.push(timed([HOOK], hookInput(f.idle)));
      }
      const nodeMs = p50(node);
      const json = {
        p50Ms: round(p50(active)),
        ratioToNodeStart: round(p50(active) / nodeMs),
        idleP50Ms: round(p50(idle)),
        idleRatioToNodeStart: round(p50(idle) / nodeMs),
        nodeStartP50Ms: round(nodeMs),
        rounds: ROUNDS,
      };
      return {
        json,
        rows: [
          ['hook.p50Ms', String(json.p50Ms), ''],
          ['hook.ratioToNodeStart', String(json.ratioToNodeStart), '<= 1.3'],
          ['hook.idleRatioToNodeStart', String(json.idleRatioToNodeStart), '<= 1.3'],
        ],
      };
    } finally {
      f.cleanup();
    }
  },
};
