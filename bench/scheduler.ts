import { planWaves, simulateSchedule } from '../src/scheduler/index.js';
import type { BenchModule } from './bench-module.js';
import { randomDag } from './random-dag.js';
import { createRng } from './rng.js';

const DAGS = 100;
const MAX_TOKENS = 16_000;
const BUDGET = 60_000;

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median: round(median), worst: round(sorted.at(-1) as number) };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The scheduler on 100 seeded random DAGs of 50–2,000 tasks: makespan on a simulated clock
 * divided by max(total work / maxParallel, critical path), for the dynamic dispatcher and for
 * strict waves; and the time to compute waves for 10,000 tasks. There the budget is
 * maxParallel × the largest task, so it never binds: that lower bound knows nothing of budgets.
 * `budgetedMakespanRatio` reruns the dispatcher under a 60,000-token budget against the bound that
 * also counts tokens × time ÷ budget.
 */
export const schedulerBench: BenchModule = {
  name: 'scheduler',
  run() {
    const rng = createRng(20241114);
    const dynamic: number[] = [];
    const waves: number[] = [];
    const budgeted: number[] = [];
    let tasks = 0;
    for (let k = 0; k < DAGS; k++) {
      const n = rng.int(50, 2000);
      const maxParallel = rng.pick([2, 4, 8]);
      const dag = randomDag(rng, n);
      tasks += n;
      const base = {
        maxParallel,
        contextBudget: maxParallel * MAX_TOKENS,
        duration: (id: string) => dag.duration.get(id) as number,
      };
      dynamic.push(simulateSchedule(dag.tasks, { ...base, strategy: 'dynamic' }).ratio);
      waves.push(simulateSchedule(dag.tasks, { ...base, strategy: 'waves' }).ratio);
      // The config's default budget, which binds at 8 in parallel: measured against the bound that knows it.
      const tight = simulateSchedule(dag.tasks, { ...base, contextBudget: BUDGET, strategy: 'dynamic' });
      budgeted.push(tight.makespan / tight.budgetLowerBound);
    }
    const big = randomDag(createRng(10_000), 10_000);
    planWaves(big.tasks, { maxParallel: 8, contextBudget: 60_000 }); // warm up the JIT
    const runs: number[] = [];
    for (let r = 0; r < 5; r++) {
      const started = performance.now();
      planWaves(big.tasks, { maxParallel: 8, contextBudget: 60_000 });
      runs.push(performance.now() - started);
    }
    const plan10kMs = Math.round(Math.min(...runs) * 10) / 10;
    const m = summary(dynamic);
    const w = summary(waves);
    const b = summary(budgeted);
    return {
      json: {
        makespanRatio: m,
        wavesMakespanRatio: w,
        budgetedMakespanRatio: b,
        plan10kMs,
        dags: DAGS,
        tasks,
      },
      rows: [
        ['scheduler.makespanRatio.median (dynamic)', String(m.median), '≤ 1.10'],
        ['scheduler.makespanRatio.worst (dynamic)', String(m.worst), '≤ 1.5'],
        ['scheduler.wavesMakespanRatio.median (strict waves)', String(w.median), ''],
        ['scheduler.wavesMakespanRatio.worst (strict waves)', String(w.worst), ''],
        ['scheduler.budgetedMakespanRatio.median (60k budget)', String(b.median), ''],
        ['scheduler.budgetedMakespanRatio.worst (60k budget)', String(b.worst), ''],
        ['scheduler.plan10kMs', String(plan10kMs), '< 1000'],
        ['scheduler DAGs / tasks simulated', `${DAGS} / ${tasks}`, ''],
      ],
    };
  },
};
