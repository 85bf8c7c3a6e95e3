import { UserError } from '../errors.js';
import type { Heap } from './heap.js';
import {
  buildTaskGraph,
  criticalPathRanks,
  type SchedulableTask,
  type TaskGraph,
  topologicalOrder,
} from './task-graph.js';

/** How much may run at once: tasks, and the sum of their estimated context tokens. */
export interface ScheduleLimits {
  maxParallel: number;
  contextBudget: number;
}

/** Limits plus the weight of a task on the critical path (default: its estimated tokens). */
export interface ScheduleOptions extends ScheduleLimits {
  weight?: (id: string, estimatedContextTokens: number) => number;
}

/** Something the scheduler wants the user to know, e.g. a task that must run alone. */
export interface ScheduleWarning {
  code: 'oversized-task';
  taskId: string;
  message: string;
}

/** A graph with its topological order and priority, ready to schedule. */
export interface PreparedSchedule {
  graph: TaskGraph;
  order: readonly number[];
  rank: Float64Array;
  limits: ScheduleLimits;
  /** Priority order: higher critical-path rank first, then plan order. */
  before: (a: number, b: number) => boolean;
}

/** Index the tasks and rank them by critical path; a cycle is a UserError (validate plans first). */
export function prepareSchedule(
  tasks: readonly SchedulableTask[],
  options: ScheduleOptions,
): PreparedSchedule {
  if (!Number.isInteger(options.maxParallel) || options.maxParallel < 1)
    throw new UserError('bad-limits', `maxParallel must be a positive integer, got ${options.maxParallel}`);
  if (!(options.contextBudget > 0))
    throw new UserError('bad-limits', `contextBudget must be positive, got ${options.contextBudget}`);
  const graph = buildTaskGraph(tasks);
  const order = topologicalOrder(graph);
  if (order === null)
    throw new UserError(
      'plan-cycle',
      'the task graph has a dependency cycle; run `orchestra plan check` to see it',
    );
  const weight = options.weight ?? ((_id: string, tokens: number) => Math.max(1, tokens));
  const rank = criticalPathRanks(
    graph,
    (i) => weight(graph.ids[i] as string, graph.tokens[i] as number),
    order,
  );
  const before = (a: number, b: number) => {
    const ra = rank[a] as number;
    const rb = rank[b] as number;
    return ra !== rb ? ra > rb : a < b;
  };
  return {
    graph,
    order,
    rank,
    limits: { maxParallel: options.maxParallel, contextBudget: options.contextBudget },
    before,
  };
}

/** What is already running when choosing what starts. */
export interface Occupancy {
  count: number;
  tokens: number;
  /** A task larger than the budget is running: it runs alone. */
  oversized: boolean;
}

/** How many tasks that do not fit may be passed over looking for one that does. */
const SKIP_LIMIT = 32;

/**
 * Take ready tasks by priority while they fit beside what runs: at most `maxParallel` tasks and
 * `contextBudget` tokens. A task larger than the budget starts only when nothing else runs, and
 * then alone; until then no task of lower priority starts. Tasks passed over go back into `ready`.
 */
export function fill(prepared: PreparedSchedule, ready: Heap<number>, running: Occupancy): number[] {
  const { maxParallel, contextBudget } = prepared.limits;
  const tokens = prepared.graph.tokens;
  const chosen: number[] = [];
  if (running.oversized) return chosen;
  const skipped: number[] = [];
  let used = running.tokens;
  while (running.count + chosen.length < maxParallel && ready.size > 0 && skipped.length < SKIP_LIMIT) {
    const t = ready.pop() as number;
    const cost = tokens[t] as number;
    if (cost > contextBudget) {
      if (running.count === 0 && chosen.length === 0) chosen.push(t);
      // Else it waits for everything running to finish; starting lower-priority tasks meanwhile
      // would postpone it again and again, so nothing after it starts.
      else skipped.push(t);
      break;
    } else if (used + cost <= contextBudget) {
      chosen.push(t);
      used += cost;
      if (used === contextBudget) break;
    } else skipped.push(t);
  }
  for (const t of skipped) ready.push(t);
  return chosen;
}

/** The warning for a task that exceeds the budget and therefore runs alone. */
export function oversizedWarning(prepared: PreparedSchedule, t: number): ScheduleWarning {
  const id = prepared.graph.ids[t] as string;
  return {
    code: 'oversized-task',
    taskId: id,
    message: `task "${id}" estimates ${prepared.graph.tokens[t]} context tokens, more than the budget of ${prepared.limits.contextBudget}: it runs alone`,
  };
}
