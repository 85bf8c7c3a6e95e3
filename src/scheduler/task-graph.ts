/** What the scheduler needs of a task: its id, its dependencies and its estimated context. */
export interface SchedulableTask {
  id: string;
  dependsOn?: readonly string[];
  estimatedContextTokens?: number;
}

/** Tasks as indices: `deps[i]` must finish before `i` starts; `dependents` is the reverse. */
export interface TaskGraph {
  readonly ids: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly deps: readonly (readonly number[])[];
  readonly dependents: readonly (readonly number[])[];
  readonly tokens: readonly number[];
}

/**
 * Index a task list. Lenient on purpose (the plan validator reports these): a repeated id keeps
 * its first task, unknown and self dependencies are dropped, repeated dependencies count once.
 */
export function buildTaskGraph(tasks: readonly SchedulableTask[]): TaskGraph {
  const index = new Map<string, number>();
  const kept: SchedulableTask[] = [];
  for (const t of tasks) {
    if (index.has(t.id)) continue;
    index.set(t.id, kept.length);
    kept.push(t);
  }
  const deps: number[][] = kept.map(() => []);
  const dependents: number[][] = kept.map(() => []);
  kept.forEach((t, i) => {
    const seen = new Set<number>();
    for (const d of t.dependsOn ?? []) {
      const j = index.get(d);
      if (j === undefined || j === i || seen.has(j)) continue;
      seen.add(j);
      (deps[i] as number[]).push(j);
      (dependents[j] as number[]).push(i);
    }
  });
  return {
    ids: kept.map((t) => t.id),
    index,
    deps,
    dependents,
    tokens: kept.map((t) => t.estimatedContextTokens ?? 0),
  };
}

/** The tasks in an order where every task comes after its dependencies, or null on a cycle. */
export function topologicalOrder(graph: TaskGraph): number[] | null {
  const n = graph.ids.length;
  const pending = graph.deps.map((d) => d.length);
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (pending[i] === 0) order.push(i);
  for (let k = 0; k < order.length; k++) {
    for (const j of graph.dependents[order[k] as number] as number[]) {
      pending[j] = (pending[j] as number) - 1;
      if (pending[j] === 0) order.push(j);
    }
  }
  return order.length === n ? order : null;
}

/**
 * Critical-path rank of each task: its weight plus the heaviest chain of dependents after it.
 * Scheduling the highest rank first keeps the longest remaining chain moving.
 */
export function criticalPathRanks(graph: TaskGraph, weight: (i: number) => number, order: readonly number[]) {
  const rank = new Float64Array(graph.ids.length);
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k] as number;
    let longest = 0;
    for (const j of graph.dependents[i] as number[]) longest = Math.max(longest, rank[j] as number);
    rank[i] = weight(i) + longest;
  }
  return rank;
}
