import { expandBraces, globOverlap, normalizeGlob } from '../domain/globs.js';
import type { Task } from '../domain/plan.js';
import type { TaskGraph } from '../scheduler/index.js';
import type { Components } from './plan-cycles.js';
import { type LineLocator, type PlanProblem, planProblem } from './plan-problem.js';

/** Whether two tasks may run at the same time: neither depends on the other, even transitively. */
export type ConcurrencyTest = (a: number, b: number) => boolean;

/**
 * Reachability as one bitset of ancestors per component (tasks on a cycle share one): O(n²/32)
 * memory, about 12 MB for 10,000 tasks, and constant-time queries.
 */
export function concurrencyOf(graph: TaskGraph, comp: Components): ConcurrencyTest {
  const count = comp.members.length;
  const words = Math.ceil(count / 32);
  const ancestors = new Uint32Array(count * words);
  comp.members.forEach((tasks, c) => {
    const row = c * words;
    for (const v of tasks)
      for (const w of graph.deps[v] as readonly number[]) {
        const d = comp.component[w] as number;
        if (d === c) continue;
        const from = d * words;
        for (let k = 0; k < words; k++)
          ancestors[row + k] = (ancestors[row + k] as number) | (ancestors[from + k] as number);
        ancestors[row + (d >> 5)] = (ancestors[row + (d >> 5)] as number) | (1 << (d & 31));
      }
  });
  const has = (c: number, d: number) => ((ancestors[c * words + (d >> 5)] as number) & (1 << (d & 31))) !== 0;
  return (a, b) => {
    const ca = comp.component[a] as number;
    const cb = comp.component[b] as number;
    return ca !== cb && !has(ca, cb) && !has(cb, ca);
  };
}

interface GlobEntry {
  task: number;
  kind: 'owns' | 'reads';
  k: number;
  glob: string;
  /** The literal directories the glob starts with, "/"-terminated: paths it matches start so. */
  prefix: string;
}

const WILD = /[*?[\]{}()!+@\\]/;

function literalPrefix(pattern: string): string {
  let out = '';
  for (const seg of pattern.split('/')) {
    if (WILD.test(seg)) break;
    out += `${seg}/`;
  }
  return out;
}

/**
 * Ownership overlaps (error) and reads of what another task writes (warning) between tasks that
 * may run concurrently. Only globs whose literal prefixes nest can overlap, so after sorting by
 * prefix each glob is compared with the short run of globs under its prefix.
 */
export function concurrencyProblems(
  tasks: readonly Task[],
  graph: TaskGraph,
  planIndex: readonly number[],
  concurrent: ConcurrencyTest,
  lineOf?: LineLocator,
): PlanProblem[] {
  const entries: GlobEntry[] = [];
  graph.ids.forEach((_, i) => {
    const task = tasks[planIndex[i] as number] as Task;
    for (const kind of ['owns', 'reads'] as const)
      task[kind].forEach((glob, k) => {
        const prefixes = new Set(expandBraces(normalizeGlob(glob)).map(literalPrefix));
        for (const prefix of prefixes) entries.push({ task: i, kind, k, glob, prefix });
      });
  });
  entries.sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
  const problems: PlanProblem[] = [];
  const reported = new Set<string>();
  const compared = new Set<string>();
  const id = (t: number) => graph.ids[t] as string;
  for (let p = 0; p < entries.length; p++) {
    const e = entries[p] as GlobEntry;
    for (let q = p + 1; q < entries.length; q++) {
      const f = entries[q] as GlobEntry;
      if (!f.prefix.startsWith(e.prefix)) break;
      if (e.task === f.task || (e.kind === 'reads' && f.kind === 'reads')) continue;
      const [x, y] = (planIndex[e.task] as number) < (planIndex[f.task] as number) ? [e, f] : [f, e];
      const pairKey =
        x.kind === y.kind
          ? `o:${x.task}:${y.task}`
          : x.kind === 'reads'
            ? `r:${x.task}:${y.task}`
            : `r:${y.task}:${x.task}`;
      if (reported.has(pairKey)) continue;
      const globKey = `${x.task}:${x.kind}:${x.k}|${y.task}:${y.kind}:${y.k}`;
      if (compared.has(globKey)) continue;
      compared.add(globKey);
      if (!concurrent(x.task, y.task)) continue;
      const witness = globOverlap(x.glob, y.glob);
      if (witness === null) continue;
      reported.add(pairKey);
      if (x.kind === 'owns' && y.kind === 'owns') {
        problems.push(
          planProblem(
            'ownership-overlap',
            `tasks "${id(x.task)}" and "${id(y.task)}" may run at the same time and both own ${quoteBoth(x.glob, y.glob)}, ` +
              `which both match "${witness}"; make one depend on the other or narrow their owns`,
            ['tasks', planIndex[y.task] as number, 'owns', y.k],
            lineOf,
          ),
        );
      } else {
        const [reader, writer] = x.kind === 'reads' ? [x, y] : [y, x];
        problems.push(
          planProblem(
            'read-write-race',
            `task "${id(reader.task)}" reads "${reader.glob}" while task "${id(writer.task)}", which may run at the ` +
              `same time, writes "${writer.glob}" (both match "${witness}"); make "${id(reader.task)}" depend on ` +
              `"${id(writer.task)}" if it needs that output`,
            ['tasks', planIndex[reader.task] as number, 'reads', reader.k],
            lineOf,
          ),
        );
      }
    }
  }
  return problems;
}

const quoteBoth = (a: string, b: string) => (a === b ? `"${a}"` : `"${a}" and "${b}"`);
