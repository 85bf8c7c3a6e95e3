import { benchTypeCheck } from '../src/validator/type-check-bench.js';
import type { BenchModule } from './bench-module.js';

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The integration validator's project type check on a generated 300-file project: the cold check,
 * and a second check after one module changed, divided by the first (target ≤ 0.25).
 */
export const validatorBench: BenchModule = {
  name: 'validator',
  run() {
    const r = benchTypeCheck({ files: 300 });
    return {
      json: {
        coldMs: round(r.coldMs),
        incrementalMs: round(r.incrementalMs),
        incrementalRatio: round(r.incrementalRatio),
      },
      rows: [
        ['validator.coldMs', String(Math.round(r.coldMs)), ''],
        ['validator.incrementalRatio', String(round(r.incrementalRatio)), '<= 0.25'],
      ],
    };
  },
};
