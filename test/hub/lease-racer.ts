// A child process of leases-multiprocess.test.ts: races for overlapping leases on a shared hub file.
// Usage: node --import tsx lease-racer.ts <db> <run-id> <worker> <attempts> <seed>
import { openHub } from '../../src/hub/index.js';

const [path, runId, worker, attemptsText, seedText] = process.argv.slice(2);
if (!path || !runId || !worker || !attemptsText || !seedText) {
  process.stderr.write('usage: lease-racer <db> <run-id> <worker> <attempts> <seed>\n');
  process.exit(2);
}

/** Overlapping and disjoint ownership patterns the workers fight over. */
const POOL = [
  'src/**',
  'src/api/**',
  'src/api/*.ts',
  'src/apix/**',
  'src/db/**',
  'src/{api,db}/index.ts',
  'src/*.ts',
  'docs/**',
  '**/*.md',
  'test/**',
];

// A small deterministic PRNG (mulberry32) so a failing race can be replayed from its seed.
let state = Number(seedText) >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = () => POOL[Math.floor(random() * POOL.length)] as string;

const hub = openHub({ path });
const taskId = `worker-${worker}`;
let granted = 0;
let refused = 0;
for (let i = 0; i < Number(attemptsText); i++) {
  const patterns = random() < 0.5 ? [pick()] : [pick(), pick()];
  const r = hub.leases.acquire({ runId, taskId, patterns });
  if (!r.ok) {
    refused++;
    continue;
  }
  granted++;
  // Hold the lease across a few writes of our own, so other workers' attempts interleave.
  const holds = 1 + Math.floor(random() * 3);
  for (let k = 0; k < holds; k++)
    hub.events.append({ runId, taskId, type: 'note', text: `holding ${i}.${k}` });
  hub.leases.release(runId, taskId);
}
hub.close();
process.stdout.write(`${JSON.stringify({ worker, granted, refused })}\n`);
