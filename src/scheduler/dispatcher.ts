import { OrchestraError } from '../errors.js';
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

/** Hands out tasks as soon as their dependencies finish and they fit beside what runs. */
export interface Dispatcher {
  /** Tasks to start now, by critical-path priority; they count as running from here on. */
  next(): string[];
  /** Mark a running task finished, freeing its slot and tokens and readying its dependents. */
  finish(taskId: string): void;
  /** Ids of the running tasks. */
  running(): string[];
  /** True when every task has finished. */
  readonly done: boolean;
  /** Warnings so far (tasks over the budget that ran alone). */
  readonly warnings: readonly ScheduleWarning[];
}

/** A dispatcher over the tasks, for the run engine: incremental, O(log n) per task. */
export function createDispatcher(tasks: readonly SchedulableTask[], options: ScheduleOptions): Dispatcher {
  return dispatcherOf(prepareSchedule(tasks, options));
}

/** A dispatcher over an already prepared graph. */
export function dispatcherOf(prepared: PreparedSchedule): Dispatcher {
  const { graph } = prepared;
  const budget = prepared.limits.contextBudget;
  const pending = graph.deps.map((d) => d.length);
  const ready = new Heap<number>(prepared.before);
  pending.forEach((p, i) => {
    if (p === 0) ready.push(i);
  });
  const running = new Set<number>();
  const warnings: ScheduleWarning[] = [];
  let finished = 0;
  let tokens = 0;
  let oversized = 0;
  return {
    next() {
      const chosen = fill(prepared, ready, { count: running.size, tokens, oversized: oversized > 0 });
      for (const t of chosen) {
        running.add(t);
        const cost = graph.tokens[t] as number;
        if (cost > budget) {
          oversized++;
          warnings.push(oversizedWarning(prepared, t));
        } else tokens += cost;
      }
      return chosen.map((t) => graph.ids[t] as string);
    },
    finish(taskId) {
      const t = graph.index.get(taskId);
      if (t === undefined || !running.delete(t))
        throw new OrchestraError('not-running', `task "${taskId}" is not running, so it cannot finish`);
      finished++;
      const cost = graph.tokens[t] as number;
      if (cost > budget) oversized--;
      else tokens -= cost;
      for (const j of graph.dependents[t] as number[]) {
        pending[j] = (pending[j] as number) - 1;
        if (pending[j] === 0) ready.push(j);
      }
    },
    running: () => [...running].map((t) => graph.ids[t] as string),
    get done() {
      return finished === graph.ids.length;
    },
    warnings,
  };
}

/** The state of a run, for a one-off decision of what starts now. */
export interface DispatchState extends ScheduleOptions {
  finished: ReadonlySet<string> | readonly string[];
  running: ReadonlySet<string> | readonly string[];
}

/**
 * Stateless form of the dispatcher: given what has finished and what runs, the tasks to start
 * now, by the same priority and limits. Costs O(tasks + dependencies) per call.
 */
export function tasksToStart(tasks: readonly SchedulableTask[], state: DispatchState): string[] {
  const prepared = prepareSchedule(tasks, state);
  const { graph } = prepared;
  const finished = new Set(state.finished);
  const running = new Set(state.running);
  const ready = new Heap<number>(prepared.before);
  let tokens = 0;
  let oversized = false;
  let count = 0;
  graph.ids.forEach((id, i) => {
    if (running.has(id)) {
      count++;
      const cost = graph.tokens[i] as number;
      if (cost > state.contextBudget) oversized = true;
      else tokens += cost;
    } else if (
      !finished.has(id) &&
      (graph.deps[i] as number[]).every((d) => finished.has(graph.ids[d] as string))
    )
      ready.push(i);
  });
  return fill(prepared, ready, { count, tokens, oversized }).map((t) => graph.ids[t] as string);
}
