import { dispatcherOf } from './dispatcher.js';
import { Heap } from './heap.js';
import { prepareSchedule, type ScheduleOptions } from './select.js';
import type { SchedulableTask } from './task-graph.js';
import { wavesOf } from './waves.js';

/** `dynamic`: start each task as soon as it can; `waves`: each wave waits for the previous one. */
export type SimulationStrategy = 'dynamic' | 'waves';

/** Settings of one simulated run. */
export interface SimulationOptions extends ScheduleOptions {
  strategy: SimulationStrategy;
  /** How long each task really takes, in simulated time units. */
  duration: (id: string) => number;
}

/** Outcome of a simulated run against the best any schedule could do. */
export interface SimulationResult {
  makespan: number;
  totalWork: number;
  /** The longest dependency chain, by duration. */
  criticalPath: number;
  /** max(totalWork / maxParallel, criticalPath): no schedule finishes sooner. */
  lowerBound: number;
  /** makespan / lowerBound (1 is optimal). */
  ratio: number;
  /**
   * The lower bound once the budget counts too: running tokens never exceed the budget, so no
   * schedule beats Σ(tokens × duration) ÷ budget (tasks over the budget count alone, by duration).
   */
  budgetLowerBound: number;
  /** Most tasks running at one time, and most tokens, as checks on the limits. */
  peakParallel: number;
  peakTokens: number;
}

/** Run the scheduler on a simulated clock and measure the makespan. */
export function simulateSchedule(
  tasks: readonly SchedulableTask[],
  options: SimulationOptions,
): SimulationResult {
  const prepared = prepareSchedule(tasks, options);
  const { graph } = prepared;
  const dur = graph.ids.map((id) => options.duration(id));
  let peakParallel = 0;
  let peakTokens = 0;
  let makespan = 0;
  if (options.strategy === 'waves') {
    for (const wave of wavesOf(prepared).waves) {
      let longest = 0;
      for (const id of wave.taskIds)
        longest = Math.max(longest, dur[graph.index.get(id) as number] as number);
      makespan += longest;
      peakParallel = Math.max(peakParallel, wave.taskIds.length);
      peakTokens = Math.max(peakTokens, wave.tokens);
    }
  } else {
    const dispatcher = dispatcherOf(prepared);
    const events = new Heap<{ at: number; id: string }>((a, b) => a.at < b.at);
    let now = 0;
    let tokens = 0;
    const start = () => {
      for (const id of dispatcher.next()) {
        const i = graph.index.get(id) as number;
        tokens += graph.tokens[i] as number;
        events.push({ at: now + (dur[i] as number), id });
      }
      peakParallel = Math.max(peakParallel, events.size);
      peakTokens = Math.max(peakTokens, tokens);
    };
    start();
    while (events.size > 0) {
      now = (events.peek() as { at: number }).at;
      // Everything finishing at this instant frees its slot before the next choice.
      while (events.size > 0 && (events.peek() as { at: number }).at === now) {
        const { id } = events.pop() as { id: string };
        tokens -= graph.tokens[graph.index.get(id) as number] as number;
        dispatcher.finish(id);
      }
      start();
    }
    makespan = now;
  }
  const finish = new Float64Array(graph.ids.length);
  let criticalPath = 0;
  let totalWork = 0;
  let area = 0;
  let aloneTime = 0;
  for (const i of prepared.order) {
    let earliest = 0;
    for (const d of graph.deps[i] as number[]) earliest = Math.max(earliest, finish[d] as number);
    finish[i] = earliest + (dur[i] as number);
    criticalPath = Math.max(criticalPath, finish[i] as number);
    totalWork += dur[i] as number;
    const tokens = graph.tokens[i] as number;
    if (tokens > options.contextBudget) aloneTime += dur[i] as number;
    else area += tokens * (dur[i] as number);
  }
  const lowerBound = Math.max(totalWork / options.maxParallel, criticalPath);
  return {
    makespan,
    totalWork,
    criticalPath,
    lowerBound,
    ratio: lowerBound > 0 ? makespan / lowerBound : 1,
    budgetLowerBound: Math.max(lowerBound, area / options.contextBudget + aloneTime),
    peakParallel,
    peakTokens,
  };
}
