import type { SchedulableTask } from '../src/scheduler/index.js';
import type { Rng } from './rng.js';

/** A random task graph with the real duration of each task. */
export interface RandomDag {
  shape: 'layered' | 'windowed';
  tasks: SchedulableTask[];
  duration: Map<string, number>;
}

/**
 * A plan-like DAG of `n` tasks: either layers of random width (tasks depend on 1–3 tasks of
 * earlier layers) or each task depending on up to 3 tasks among the previous `window`; widths and
 * windows are log-uniform, so narrow graphs (critical path ≈ work ÷ maxParallel, the hard case)
 * are as common as wide ones. Estimated
 * tokens are 2,000–16,000; the real duration is tokens/1000 times log-normal noise (σ 0.4), so
 * the scheduler, which only sees the estimates, ranks by an imperfect guess as it would live.
 */
export function randomDag(rng: Rng, n: number): RandomDag {
  const shape = rng.next() < 0.5 ? 'layered' : 'windowed';
  const deps: number[][] = [];
  if (shape === 'layered') {
    const width = logUniform(rng, 1, 2 * Math.sqrt(n));
    const layerOf: number[] = [];
    for (let i = 0; i < n; i++) {
      const layer = Math.floor(i / width) + (rng.next() < 0.2 ? 1 : 0);
      layerOf.push(layer);
      const earlier: number[] = [];
      for (let j = Math.max(0, i - 3 * width); j < i; j++)
        if ((layerOf[j] as number) < layer) earlier.push(j);
      const d = new Set<number>();
      const k = earlier.length === 0 ? 0 : rng.int(1, 3);
      for (let m = 0; m < k; m++) d.add(rng.pick(earlier));
      deps.push([...d]);
    }
  } else {
    const window = logUniform(rng, 2, n / 4);
    for (let i = 0; i < n; i++) {
      const d = new Set<number>();
      const k = i === 0 ? 0 : rng.int(0, 3);
      for (let m = 0; m < k; m++) d.add(rng.int(Math.max(0, i - window), i - 1));
      deps.push([...d]);
    }
  }
  const tasks: SchedulableTask[] = [];
  const duration = new Map<string, number>();
  deps.forEach((d, i) => {
    const tokens = rng.int(4, 32) * 500;
    tasks.push({ id: `t${i}`, dependsOn: d.map((j) => `t${j}`), estimatedContextTokens: tokens });
    duration.set(`t${i}`, (tokens / 1000) * Math.exp(0.4 * rng.normal()));
  });
  return { shape, tasks, duration };
}

/** An integer log-uniformly distributed in [lo, hi]. */
function logUniform(rng: Rng, lo: number, hi: number): number {
  return Math.round(Math.exp(Math.log(lo) + rng.next() * (Math.log(Math.max(lo, hi)) - Math.log(lo))));
}
