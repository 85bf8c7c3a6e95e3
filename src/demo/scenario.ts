import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { PlanInput, TaskResult, Usage } from '../domain/index.js';
import { findMatchingGlob } from '../domain/index.js';
import { addUsage, emptyUsage } from '../executor/index.js';
import { call, type Scenario, ScenarioBuilder, type ToolCall, type TurnUsage } from '../testing/index.js';
import { SCENARIO_DIR } from './paths.js';
import { DEMO_REQUEST, demoPlan, OPERATION_CONTRACT } from './plan.js';

/** The task whose first attempt plants the article's mismatch, and the file it is in. */
export const MISMATCH = { taskId: 'server', file: 'src/server/session-hub.ts' } as const;

/** What the scripted model plays in the demo, and the figures a run of it must report. */
export interface DemoScenario {
  scenario: Scenario;
  request: string;
  plan: PlanInput;
  /** Scripted tokens: the orchestrator layer, each task over all its attempts, and the total. */
  usage: { orchestrator: Usage; tasks: Record<string, Usage>; specialists: Usage; total: Usage };
  /** The fix attempt's edit of the planted file: `old` becomes `new`. */
  fix: { file: string; old: string; new: string };
}

/** Where the scripted files come from (default: the package's `demo/scenario/`). */
export interface DemoScenarioOptions {
  scenarioDir?: string;
}

/**
 * The demo's script, in the order conversations bind to it: the orchestrator answers the request
 * with the plan; each specialist reads what it builds on, writes its files (the finished tree in
 * `demo/scenario/final/`, except the backend, which writes the planted `{user_id: number,
 * operation: Delta}` wire type) and returns its result; the backend's fix attempt, recognised by
 * the packet's "## Fix first" section, reads the file and edits it to the contract.
 */
export function demoScenario(options: DemoScenarioOptions = {}): DemoScenario {
  const dir = options.scenarioDir ?? SCENARIO_DIR;
  const plan = demoPlan();
  const finalFiles = listFiles(join(dir, 'final'));
  const read = (tree: 'final' | 'planted', path: string) => readFileSync(join(dir, tree, path), 'utf8');
  const s = new ScenarioBuilder();
  const tasks: Record<string, Usage> = {};
  let orchestrator = emptyUsage();
  let usage = emptyUsage();
  const count = (u: TurnUsage) => {
    usage = addUsage(usage, toUsage(u));
  };

  // Layer 1: the orchestrator looks at the project, then answers with the plan.
  s.on({ agent: 'orchestrator', text: '# Request' });
  turn(s, [call.read('src/config.ts')], 'Reading the project configuration.', usageOf(0, 120), count);
  turn(s, [call.structured(plan as Record<string, unknown>)], undefined, usageOf(1, 2400), count);
  orchestrator = usage;

  // Layer 3: the specialists, one block per task, in plan order.
  for (const task of plan.tasks) {
    usage = emptyUsage();
    const owned = finalFiles.filter((f) => findMatchingGlob(f, task.owns ?? []) !== undefined);
    if (owned.length === 0) throw new Error(`demo scenario: no file in final/ for task ${task.id}`);
    s.on({ taskId: task.id, agent: task.agent });
    let n = 0;
    const reads = READS_FIRST[task.id] ?? [];
    if (reads.length > 0)
      turn(s, reads.map(call.read), 'Reading the contracts I build on.', usageOf(n++, 60), count);
    for (const path of owned) {
      const content =
        task.id === MISMATCH.taskId && path === MISMATCH.file ? read('planted', path) : read('final', path);
      turn(s, [call.write(path, content)], `Writing ${path}.`, usageOf(n++, tokensOf(content)), count);
    }
    turn(s, [call.structured(resultOf(task.id, owned))], undefined, usageOf(n, 180), count);
    tasks[task.id] = usage;
  }

  // The fix wave: the backend standardizes its wire type on the contract.
  const planted = read('planted', MISMATCH.file);
  const fixed = read('final', MISMATCH.file);
  const fix = { file: MISMATCH.file, ...changedLines(planted, fixed) };
  usage = tasks[MISMATCH.taskId] ?? emptyUsage();
  s.on({ taskId: MISMATCH.taskId, text: '## Fix first' });
  turn(s, [call.read(fix.file)], 'The validator found my wire type off the contract.', usageOf(0, 60), count);
  turn(
    s,
    [call.edit(fix.file, fix.old, fix.new)],
    'Standardizing to {userId: string, operation: Transform}.',
    usageOf(1, 140),
    count,
  );
  turn(s, [call.structured(FIX_RESULT)], undefined, usageOf(2, 150), count);
  tasks[MISMATCH.taskId] = usage;

  const specialists = Object.values(tasks).reduce(addUsage, emptyUsage());
  return {
    scenario: s,
    request: DEMO_REQUEST,
    plan,
    usage: { orchestrator, tasks, specialists, total: addUsage(orchestrator, specialists) },
    fix,
  };
}

function turn(
  s: ScenarioBuilder,
  calls: ToolCall[],
  text: string | undefined,
  usage: TurnUsage,
  count: (u: TurnUsage) => void,
): void {
  s.turn({ kind: 'tools', calls, ...(text === undefined ? {} : { text }), usage });
  count(usage);
}

/**
 * Plausible figures for turn `n` of a conversation: the first turn writes the prompt to the cache,
 * later turns read it back and add what the previous turn produced.
 */
function usageOf(n: number, output: number): TurnUsage {
  return {
    input: 420 + 160 * n,
    output,
    cacheCreation: n === 0 ? 1800 : 240,
    cacheRead: n === 0 ? 0 : 1800 + 240 * (n - 1),
  };
}

const tokensOf = (text: string) => Math.ceil(text.length / 4) + 40;

const toUsage = (u: TurnUsage): Usage => ({
  inputTokens: u.input,
  outputTokens: u.output,
  cacheCreationInputTokens: u.cacheCreation,
  cacheReadInputTokens: u.cacheRead,
});

/**
 * Files a specialist reads before writing. Only the base's files: every task branches from the
 * run's base, so its dependencies' work reaches it through the packet's contracts, not its checkout.
 */
const READS_FIRST: Readonly<Record<string, readonly string[]>> = { server: ['src/config.ts'] };

function resultOf(taskId: string, files: readonly string[]): TaskResult & Record<string, unknown> {
  const base = { contracts: [], testRequirements: [], dependenciesNeeded: [], notes: [] };
  const written = `Wrote ${files.join(', ')}.`;
  switch (taskId) {
    case 'types':
      return {
        ...base,
        summary: `Operation contract, Transform, applyTransform and the client/server messages. ${written}`,
        contracts: [{ id: 'operation', definition: OPERATION_CONTRACT }],
        testRequirements: ['applyTransform clamps positions past the end of the text'],
      };
    case 'database':
      return {
        ...base,
        summary: `In-memory documents, operation log (unique per document and revision) and presence. ${written}`,
        testRequirements: ['append assigns consecutive revisions', 'operationsSince returns rows in order'],
        notes: ['Swap MemoryDocumentStore for a PostgreSQL implementation with the same methods'],
      };
    case 'pubsub':
      return {
        ...base,
        summary: `Per-document channels doc:<id>:ops with synchronous, ordered delivery. ${written}`,
        notes: ['Batching broadcasts every 100 ms is the next latency lever (the article: -70% messages)'],
      };
    case 'client':
      return {
        ...base,
        summary: `OT transform for insert/delete with convergence tests; optimistic editor state. ${written}`,
        testRequirements: ['two concurrent edits converge in either order'],
      };
    case 'server':
      return {
        ...base,
        summary: `Session hub: rooms per document, persist-then-broadcast, error frames, disconnects. ${written}`,
        notes: ['Declared the wire format of an edit locally in session-hub.ts'],
      };
    default:
      return {
        ...base,
        summary: `Integration tests over JSON frames: convergence, revision order, snapshots, errors. ${written}`,
      };
  }
}

const FIX_RESULT = {
  summary:
    'Standardized the wire format on the Operation contract: {userId: string, operation: Transform} (was {user_id: number, operation: Delta}).',
  contracts: [],
  testRequirements: [],
  dependenciesNeeded: [],
  notes: ['Removed the local Operation and Delta types; ClientMessage now comes from src/types/messages.ts'],
};

/** The smallest run of whole lines that turns `a` into `b` (for an Edit call). */
export function changedLines(a: string, b: string): { old: string; new: string } {
  const x = a.split('\n');
  const y = b.split('\n');
  const r = changedRun(x, y);
  return { old: x.slice(r.start, r.oldEnd).join('\n'), new: y.slice(r.start, r.newEnd).join('\n') };
}

/**
 * Where two line lists differ: `x[start, oldEnd)` becomes `y[start, newEnd)`; everything before
 * `start` and after the ends is shared.
 */
export function changedRun(
  x: readonly string[],
  y: readonly string[],
): { start: number; oldEnd: number; newEnd: number } {
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let end = 0;
  while (end < x.length - start && end < y.length - start && x[x.length - 1 - end] === y[y.length - 1 - end])
    end++;
  return { start, oldEnd: x.length - end, newEnd: y.length - end };
}

/** Files under `dir`, as POSIX paths relative to it, sorted. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}
