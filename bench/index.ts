import type { BenchModule } from './bench-module.js';
import { hookBench } from './hook.js';
import { schedulerBench } from './scheduler.js';
import { sandboxBench, securityBench } from './security.js';
import { validatorBench } from './validator.js';

/** Every benchmark; add a module here to have it in `npm run bench`. */
const benches: readonly BenchModule[] = [
  schedulerBench,
  validatorBench,
  sandboxBench,
  securityBench,
  hookBench,
];

const json = process.argv.includes('--json');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const out: Record<string, unknown> = {};
const rows: string[][] = [];
for (const b of benches) {
  if (only && b.name !== only) continue;
  const result = await b.run();
  out[b.name] = result.json;
  rows.push(...result.rows);
}
if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
else {
  const header = ['metric', 'value', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  process.stdout.write(
    `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`,
  );
}
