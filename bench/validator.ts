import { benchTypeCheck } from '../src/validator/type-check-bench.js';
import type { BenchModule } from './bench-module.js';
import { benchConflictFirst } from './validator-conflict.js';

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The integration validator's project type check on a generated 300-file project: the cold check,
 * and a second check after one module changed, divided by the first (target ≤ 0.25); and how soon
 * a conflicting pair is reported (`conflictFirstMs`, before any type check) against the full check.
 */
export const validatorBench: BenchModule = {
  name: 'validator',
  async run() {
    const r = benchTypeCheck({ files: 300 });
    const c = await benchConflictFirst({ files: 300 });
    return {
      json: {
        coldMs: round(r.coldMs),
        incrementalMs: round(r.incrementalMs),
        incrementalRatio: round(r.incrementalRatio),
        conflictFirstMs: round(c.conflictFirstMs),
        fullCheckMs: round(c.fullMs),
        conflictFirstRatio: round(c.conflictFirstMs / c.fullMs),
        typeCheckBeforeConflict: c.typeCheckBeforeConflict,
      },
      rows: [
        ['validator.coldMs', String(Math.round(r.coldMs)), ''],
        ['validator.incrementalRatio', String(round(r.incrementalRatio)), '<= 0.25'],
        ['validator.conflictFirstMs', String(Math.round(c.conflictFirstMs)), '< fullCheckMs'],
        ['validator.fullCheckMs', String(Math.round(c.fullMs)), ''],
        ['validator.typeCheckBeforeConflict', String(c.typeCheckBeforeConflict), 'false'],
      ],
    };
  },
};
