import type { Task } from '../domain/index.js';
import { expandBraces, globOverlap, normalizeGlob } from '../domain/index.js';
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
  k: number;
  glob: string;
  /** Unique per (task, kind, k): one glob with {a,b} alternatives may have several prefixes. */
  id: number;
  /** This glob has several prefixes, so it can meet another glob more than once. */
  multi: boolean;
  /** The literal directories the glob starts with, "/"-terminated: paths it matches start so. */
  prefix: string;
}

/** A degenerate plan (every task owning "src/**") would list millions of pairs: stop at this many. */
const MAX_LISTED = 200;

const WILD = /[*?[\]{}()!+@\\]/;

function literalPrefix(pattern: string): string {
  let out = '';
  for (const seg of pattern.split('/')) {
    if (WILD.test(seg)) break;
    out += `${seg.toLowerCase()}/`; // overlap ignores case, so pruning by prefix must too
  }
  return out;
}

const byPrefix = (a: GlobEntry, b: GlobEntry) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0);

/** Index of the first entry whose prefix is not below `prefix`. */
function lowerBound(sorted: readonly GlobEntry[], prefix: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as GlobEntry).prefix < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Ownership overlaps (error) and reads of what another task writes (warning) between tasks that
 * may run concurrently. Two globs can only match a common path when one literal prefix contains
 * the other, so each owned glob is compared only with the globs under its prefix (a contiguous
 * run once sorted) and the reads at its few ancestor prefixes.
 */
export function concurrencyProblems(
  tasks: readonly Task[],
  graph: TaskGraph,
  planIndex: readonly number[],
  concurrent: ConcurrencyTest,
  lineOf?: LineLocator,
): PlanProblem[] {
  const owns: GlobEntry[] = [];
  const reads: GlobEntry[] = [];
  let ids = 0;
  graph.ids.forEach((_, i) => {
    const task = tasks[planIndex[i] as number] as Task;
    for (const [kind, list] of [
      ['owns', owns],
      ['reads', reads],
    ] as const)
      task[kind].forEach((glob, k) => {
        const id = ids++;
        const prefixes = new Set(expandBraces(normalizeGlob(glob)).map(literalPrefix));
        for (const prefix of prefixes) list.push({ task: i, k, glob, id, prefix, multi: prefixes.size > 1 });
      });
  });
  owns.sort(byPrefix);
  reads.sort(byPrefix);
  const readsAt = new Map<string, GlobEntry[]>();
  for (const r of reads) {
    const list = readsAt.get(r.prefix);
    if (list) list.push(r);
    else readsAt.set(r.prefix, [r]);
  }

  const problems: PlanProblem[] = [];
  const listed = { 'ownership-overlap': 0, 'read-write-race': 0 };
  const add = (p: PlanProblem) => {
    const code = p.code as keyof typeof listed;
    if (listed[code]++ < MAX_LISTED) problems.push(p);
  };
  const full = () => listed['ownership-overlap'] > MAX_LISTED && listed['read-write-race'] > MAX_LISTED;
  const witnesses = new Map<string, string | null>();
  const overlapOf = (a: string, b: string) => {
    const key = `${a}\n${b}`;
    let w = witnesses.get(key);
    if (w === undefined) {
      w = globOverlap(a, b);
      witnesses.set(key, w);
    }
    return w;
  };
  const reported = new Set<number>();
  const compared = new Set<number>();
  const n = graph.ids.length;
  const name = (t: number) => graph.ids[t] as string;
  const pos = (e: GlobEntry) => planIndex[e.task] as number;

  const overlap = (a: GlobEntry, b: GlobEntry) => {
    const [x, y] = pos(a) < pos(b) ? [a, b] : [b, a];
    const pair = x.task * n + y.task;
    if (reported.has(pair) || !remember(x, y) || !concurrent(x.task, y.task)) return;
    const witness = overlapOf(x.glob, y.glob);
    if (witness === null) return;
    reported.add(pair);
    add(
      planProblem(
        'ownership-overlap',
        `tasks "${name(x.task)}" and "${name(y.task)}" may run at the same time and both own ${quoteBoth(x.glob, y.glob)}, ` +
          `which both match "${witness}"; make one depend on the other or narrow their owns`,
        ['tasks', pos(y), 'owns', y.k],
        lineOf,
      ),
    );
  };
  const race = (reader: GlobEntry, writer: GlobEntry) => {
    const pair = -(reader.task * n + writer.task) - 1;
    if (reader.task === writer.task || reported.has(pair) || !remember(reader, writer)) return;
    if (!concurrent(reader.task, writer.task)) return;
    const witness = overlapOf(reader.glob, writer.glob);
    if (witness === null) return;
    reported.add(pair);
    add(
      planProblem(
        'read-write-race',
        `task "${name(reader.task)}" reads "${reader.glob}" while task "${name(writer.task)}", which may run at the ` +
          `same time, writes "${writer.glob}" (both match "${witness}"); make "${name(reader.task)}" depend on ` +
          `"${name(writer.task)}" if it needs that output`,
        ['tasks', pos(reader), 'reads', reader.k],
        lineOf,
      ),
    );
  };
  // A glob with {a,b} alternatives can meet another glob through several prefixes: compare once.
  const remember = (a: GlobEntry, b: GlobEntry) => {
    if (!a.multi && !b.multi) return true;
    const key = Math.min(a.id, b.id) * ids + Math.max(a.id, b.id);
    if (compared.has(key)) return false;
    compared.add(key);
    return true;
  };

  for (let p = 0; p < owns.length && !full(); p++) {
    const e = owns[p] as GlobEntry;
    for (let q = p + 1; q < owns.length; q++) {
      const f = owns[q] as GlobEntry;
      if (!f.prefix.startsWith(e.prefix)) break;
      if (e.task !== f.task) overlap(e, f);
    }
    for (let q = lowerBound(reads, e.prefix); q < reads.length; q++) {
      const r = reads[q] as GlobEntry;
      if (!r.prefix.startsWith(e.prefix)) break;
      race(r, e);
    }
    // Reads at a strict ancestor of this prefix: each "dir/" above it, then "".
    for (
      let cut = e.prefix.lastIndexOf('/', e.prefix.length - 2);
      cut > 0;
      cut = e.prefix.lastIndexOf('/', cut - 1)
    )
      for (const r of readsAt.get(e.prefix.slice(0, cut + 1)) ?? []) race(r, e);
    if (e.prefix !== '') for (const r of readsAt.get('') ?? []) race(r, e);
  }
  for (const [code, count] of Object.entries(listed) as [keyof typeof listed, number][])
    if (count > MAX_LISTED)
      problems.push(
        planProblem(
          code,
          `more pairs of tasks have this problem than the ${MAX_LISTED} listed; fix those and check again`,
        ),
      );
  return problems;
}

const quoteBoth = (a: string, b: string) => (a === b ? `"${a}"` : `"${a}" and "${b}"`);
