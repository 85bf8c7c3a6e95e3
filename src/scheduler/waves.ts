import { Heap } from './heap.js';
import {
  fill,
  oversizedWarning,
  type PreparedSchedule,
  prepareSchedule,
  type ScheduleOptions,
  type ScheduleWarning,
} from './select.js';
import type { SchedulableTask } from './task-graph.js';

/** One wave: tasks that run together; the next wave starts when all of them have finished. */
export interface Wave {
  /** 1-based. */
  index: number;
  taskIds: string[];
  /** Sum of the tasks' estimated context tokens. */
  tokens: number;
}

/** Waves in order, and warnings such as tasks that had to run alone. */
export interface WavePlan {
  waves: Wave[];
  warnings: ScheduleWarning[];
}

/**
 * Strict waves: each wave holds ready tasks by critical-path priority, at most `maxParallel` of
 * them, their tokens within `contextBudget` (a task over the budget gets a wave of its own), and
 * every task comes in a later wave than all of its dependencies.
 */
export function planWaves(tasks: readonly SchedulableTask[], options: ScheduleOptions): WavePlan {
  return wavesOf(prepareSchedule(tasks, options));
}

/** Waves of an already prepared graph. */
export function wavesOf(prepared: PreparedSchedule): WavePlan {
  const { graph } = prepared;
  const pending = graph.deps.map((d) => d.length);
  const ready = new Heap<number>(prepared.before);
  pending.forEach((p, i) => {
    if (p === 0) ready.push(i);
  });
  const waves: Wave[] = [];
  const warnings: ScheduleWarning[] = [];
  while (ready.size > 0) {
    const chosen = fill(prepared, ready, { count: 0, tokens: 0, oversized: false });
    let tokens = 0;
    for (const t of chosen) {
      tokens += graph.tokens[t] as number;
      if ((graph.tokens[t] as number) > prepared.limits.contextBudget)
        warnings.push(oversizedWarning(prepared, t));
    }
    // Tasks freed by this wave join the next one, never this one.
    for (const t of chosen)
      for (const j of graph.dependents[t] as number[]) {
        pending[j] = (pending[j] as number) - 1;
        if (pending[j] === 0) ready.push(j);
      }
    waves.push({ index: waves.length + 1, taskIds: chosen.map((t) => graph.ids[t] as string), tokens });
  }
  return { waves, warnings };
}
