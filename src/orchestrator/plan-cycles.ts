import type { TaskGraph } from '../scheduler/index.js';

/** Strongly connected components: `component[i]` of each task, and the components in dependency order. */
export interface Components {
  component: Int32Array;
  /** Each component's tasks; dependencies' components come before their dependents'. */
  members: number[][];
}

/**
 * Tarjan's algorithm, iterative so a chain of thousands of tasks cannot overflow the stack.
 * Following edges from a task to its dependencies, a component is closed only after all it can
 * reach, so `members` lists dependencies first.
 */
export function stronglyConnected(graph: TaskGraph): Components {
  const n = graph.ids.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const component = new Int32Array(n).fill(-1);
  const members: number[][] = [];
  const stack: number[] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: Array<[number, number]> = [[root, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1] as [number, number];
      const [v, k] = frame;
      if (k === 0) {
        index[v] = low[v] = counter++;
        stack.push(v);
        onStack[v] = 1;
      }
      const deps = graph.deps[v] as readonly number[];
      if (k < deps.length) {
        frame[1] = k + 1;
        const w = deps[k] as number;
        if (index[w] === -1) work.push([w, 0]);
        else if (onStack[w]) low[v] = Math.min(low[v] as number, index[w] as number);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]] as number, low[v] as number);
      if (low[v] === index[v]) {
        const scc: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          component[w] = members.length;
          scc.push(w);
        } while (w !== v);
        members.push(scc.sort((a, b) => a - b));
      }
    }
  }
  return { component, members };
}

/** A shortest cycle through the first task of a component: `[a, b, …, a]`, each depending on the next. */
export function cycleThrough(graph: TaskGraph, comp: Components, c: number): number[] {
  const start = (comp.members[c] as number[])[0] as number;
  const previous = new Map<number, number>();
  const queue = [start];
  for (let k = 0; k < queue.length; k++) {
    const v = queue[k] as number;
    for (const w of graph.deps[v] as readonly number[]) {
      if (comp.component[w] !== c) continue;
      if (w === start) {
        const back: number[] = [];
        for (let u = v; u !== start; u = previous.get(u) as number) back.push(u);
        return [start, ...back.reverse(), start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
