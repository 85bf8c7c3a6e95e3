import { spawn } from 'node:child_process';
import type { Task } from '../domain/index.js';
import { findMatchingGlob } from '../domain/index.js';
import { type CommandSandbox, prepareCommand } from '../sandbox/index.js';
import type { Finding } from './types.js';

/** Runs one command in a directory; injected so tests and other runners can replace it. */
export type CommandRunner = (
  command: string,
  options: { cwd: string; timeoutMs: number; sandbox?: CommandSandbox },
) => Promise<{
  exitCode: number | null;
  timedOut: boolean;
  output: string;
}>;

/** Criteria without their own timeout get this many milliseconds. */
export const DEFAULT_CRITERION_TIMEOUT_MS = 120_000;
const TAIL_CHARS = 4000;

/**
 * Run a command through the shell. The shell is used ONLY because the text is a success criterion
 * of the plan file the user approved: it is the user's own command line, run as written in their
 * project, and no other data is ever interpolated into it. With a `sandbox` (a run always gives
 * one) it runs confined: writable only in `cwd`, a minimal environment without the model's key.
 * The whole process group is killed on timeout so test runners' children do not outlive it.
 */
export const shellRunner: CommandRunner = (command, { cwd, timeoutMs, sandbox }) =>
  new Promise((resolve) => {
    const prepared = sandbox ? prepareCommand(sandbox, { argv: ['/bin/sh', '-c', command], cwd }) : undefined;
    const child = prepared
      ? spawn(prepared.command.command, prepared.command.args, {
          cwd: prepared.command.cwd,
          env: prepared.command.env,
          detached: process.platform !== 'win32',
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(command, {
          cwd,
          shell: true,
          detached: process.platform !== 'win32',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
    child.on('close', () => prepared?.dispose());
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-TAIL_CHARS * 2);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined)
          process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ exitCode: null, timedOut, output: `${output}${e.message}\n` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, timedOut, output });
    });
  });

/** One distinct criterion command run on one tree, for every task that names it. */
export interface CriterionRun {
  command: string;
  /** The tasks naming this command (in merge order), each with its own description. */
  tasks: Array<{ taskId: string; description: string }>;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  outputTail: string;
  /** The tree (git tree id, or the directory when unknown) it ran on. */
  tree: string;
  /** Reused from an earlier run of the same command on the same tree: it did not run again. */
  cached: boolean;
  /** The directory it ran in: its absolute paths are made relative to it before comparing. */
  cwd?: string;
  /**
   * The command names a path owned by a task naming it (`npx vitest run test/pattern.test.ts`): a
   * check of that task's own work, never a failure the base already had. (Only the command: a
   * base failure whose output names a file some task owns is still the base's.)
   */
  ownWork?: boolean;
}

/** A runner that confines every command in `sandbox` (what a run passes to the validator). */
export function sandboxedRunner(sandbox: CommandSandbox): CommandRunner {
  return (command, options) => shellRunner(command, { ...options, sandbox });
}

/** Whether a criterion run failed. */
export function criterionFailed(r: Pick<CriterionRun, 'exitCode' | 'timedOut'>): boolean {
  return r.timedOut || r.exitCode !== 0;
}

/**
 * Results of criterion commands by tree and command, shared across validations: the same command
 * on the same tree (three tasks naming `npx vitest run`, or a re-validation after a change that
 * left the tree as it was) runs once.
 */
export class CriteriaCache {
  private readonly results = new Map<string, Omit<CriterionRun, 'tasks' | 'cached'>>();
  get(tree: string, command: string) {
    return this.results.get(`${tree}\0${command}`);
  }
  set(r: Omit<CriterionRun, 'tasks' | 'cached'>): void {
    this.results.set(`${r.tree}\0${r.command}`, r);
  }
}

/**
 * Run the criteria of `tasks` on the tree at `cwd`, each distinct command once, in the order the
 * tasks name them. `tree` identifies the content (a git tree id): results cached for it are reused.
 */
export async function runCriteriaOnce(
  tasks: readonly Task[],
  settings: {
    cwd: string;
    tree: string;
    runner?: CommandRunner;
    cache?: CriteriaCache;
    now?: () => number;
    /** Called before each command runs (or is reused) and after it ends, for progress. */
    onStart?: (command: string, tasks: readonly string[]) => void;
    onResult?: (run: CriterionRun) => void;
  },
): Promise<CriterionRun[]> {
  const runner = settings.runner ?? shellRunner;
  const now = settings.now ?? Date.now;
  const byCommand = new Map<string, { timeoutMs: number; tasks: CriterionRun['tasks'] }>();
  for (const task of tasks) {
    for (const c of task.successCriteria) {
      if (c.command === undefined) continue;
      const entry = byCommand.get(c.command) ?? { timeoutMs: 0, tasks: [] };
      entry.timeoutMs = Math.max(entry.timeoutMs, c.timeoutMs ?? DEFAULT_CRITERION_TIMEOUT_MS);
      if (!entry.tasks.some((t) => t.taskId === task.id))
        entry.tasks.push({ taskId: task.id, description: c.description });
      byCommand.set(c.command, entry);
    }
  }
  const out: CriterionRun[] = [];
  for (const [command, { timeoutMs, tasks: naming }] of byCommand) {
    settings.onStart?.(
      command,
      naming.map((t) => t.taskId),
    );
    const hit = settings.cache?.get(settings.tree, command);
    let run: CriterionRun;
    if (hit) run = { ...hit, tasks: naming, cached: true };
    else {
      const started = now();
      const r = await runner(command, { cwd: settings.cwd, timeoutMs });
      run = {
        command,
        tasks: naming,
        exitCode: r.exitCode,
        timedOut: r.timedOut,
        durationMs: now() - started,
        outputTail: r.output.slice(-TAIL_CHARS),
        tree: settings.tree,
        cached: false,
        cwd: settings.cwd,
      };
      const { tasks: _t, cached: _c, ownWork: _o, ...stored } = run;
      settings.cache?.set(stored);
    }
    const owners = tasks.filter((t) => naming.some((n) => n.taskId === t.id));
    if (namesOwnedPath(command, owners)) run.ownWork = true;
    out.push(run);
    settings.onResult?.(run);
  }
  return out;
}

/** Whether `text` names a path (existing or not) that one of `tasks` owns. */
export function namesOwnedPath(text: string, tasks: readonly Task[]): boolean {
  for (const m of text.matchAll(/[\w@.-]+(?:\/[\w@.-]+)+|[\w@-]+\.[A-Za-z][\w]*/g)) {
    const path = m[0].replace(/^\.\//, '');
    if (path.includes('node_modules')) continue;
    if (
      tasks.some(
        (t) => findMatchingGlob(path, t.owns) !== undefined || t.owns.some((g) => namesPrefix(path, g)),
      )
    )
      return true;
  }
  return false;
}

/**
 * Whether `path` names an owned path by its start, the way test runners take filters:
 * `test/query-schema` for `test/query-schema.test.ts`, `src/api` for `src/api/x.ts`.
 */
function namesPrefix(path: string, glob: string): boolean {
  const literal = glob.split(/[*?[\]{}()!+@]/)[0] ?? '';
  if (!literal.startsWith(path)) return false;
  const next = literal[path.length];
  return next === undefined || next === '.' || next === '/';
}

/** Where a failed criterion's fix goes: a task, or nobody (the user) with the files it named. */
export type CriterionRoute =
  | { to: 'task'; taskId: string; files: string[] }
  | { to: 'user'; files: string[] };

/**
 * Route a failed criterion by the files its *error* lines name (failing tests, `FAIL file`,
 * `file(line,col): error`, stack frames, eslint and prettier file lines), never by a passing test
 * file it lists: their owner among the plan's tasks (the criterion's own tasks first); when every
 * such file is owned by no task, the user; when no error line names a file, the last merged task
 * naming the command (the change most likely to blame).
 */
export function routeCriterion(
  run: CriterionRun,
  settings: { tasks: readonly Task[]; fileExists: (path: string) => boolean; mergeOrder: readonly string[] },
): CriterionRoute {
  const files = filesNamedIn(failureLines(run.outputTail).join('\n'), settings.fileExists, run.cwd);
  const naming = run.tasks.map((t) => t.taskId);
  const lastNaming =
    [...settings.mergeOrder].reverse().find((id) => naming.includes(id)) ?? (naming[0] as string);
  if (files.length === 0) return { to: 'task', taskId: lastNaming, files };
  const owners = files.map((f) => settings.tasks.find((t) => findMatchingGlob(f, t.owns) !== undefined)?.id);
  const owned = owners.filter((o): o is string => o !== undefined);
  if (owned.length === 0) return { to: 'user', files };
  const own = owned.find((o) => naming.includes(o)) ?? owned[0] ?? lastNaming;
  return { to: 'task', taskId: own, files: files.filter((_, i) => owners[i] === own) };
}

/**
 * Repository-relative paths of existing files that a command's output names (`src/a.ts:3:1`,
 * `./b.md`, `src/a.ts(3,5)`, and absolute paths under `root`, as eslint prints them).
 */
export function filesNamedIn(output: string, fileExists: (path: string) => boolean, root?: string): string[] {
  const text = root ? output.split(`${root.replace(/\/+$/, '')}/`).join('') : output;
  const out = new Set<string>();
  for (const m of text.matchAll(
    /(?:^|[\s'"`([])(?:\.\/)?((?:[\w@.-]+\/)*[\w@.-]+\.[A-Za-z0-9]+)(?=[:\s'"`()\],]|$)/gm,
  )) {
    const path = m[1] as string;
    if (path.includes('node_modules') || path.startsWith('.') || /^\d+(\.\d+)+$/.test(path)) continue;
    if (fileExists(path)) out.add(path);
  }
  return [...out];
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');
/** A passing test or file (vitest/jest/mocha/node:test): never a failure, even when it names a file. */
const PASSING = /^(?:[✓✔√]|PASS\b|ok \d)/;
/** A line of a code frame under an error (`42|   expect(…)`, `   |   ^`, tsc's `~~~`). */
const CODE_FRAME = /^\s*(?:\d+\s*)?\|(?:\s|$)|^\s*~+\s*$/;
/** Words and markers of a line that reports a failure. */
const ERROR_MARK = [
  /\b(?:errors?|fail(?:s|ed|ing|ure|ures)?|exception|panic(?:ked)?)\b/i,
  /[A-Za-z]Error\b/,
  /^(?:[✗×✖❯›●]|\[(?:warn|error)\]|at\s)/,
  /\bE[A-Z]{3,}\b/,
];
/** An eslint (stylish) problem line under the file it belongs to: `  3:5  error  …`. */
const ESLINT_PROBLEM = /^\s+\d+:\d+\s+(?:error|warning)\b/;

/**
 * The lines of a command's output that report its failure: error and `FAIL` lines, failing tests,
 * stack frames, `file(line,col): error`, prettier's `[warn] file`, the file heading eslint's problems.
 * Passing tests (`✓ test/a.test.ts`) and code frames are left out.
 */
export function errorLines(output: string): string[] {
  const lines = output.replace(ANSI, '').split(/\r?\n/);
  const out: string[] = [];
  lines.forEach((line, i) => {
    const t = line.trim();
    if (t === '' || PASSING.test(t) || CODE_FRAME.test(line)) return;
    if (ERROR_MARK.some((r) => r.test(t))) out.push(t);
    else if (/^\S+$/.test(t) && ESLINT_PROBLEM.test(lines.slice(i + 1).find((l) => l.trim() !== '') ?? ''))
      out.push(t);
  });
  return out;
}

/**
 * What a failure says: its error lines, or (an output in a format without any) every line but the
 * passing ones.
 */
export function failureLines(output: string): string[] {
  const errors = errorLines(output);
  if (errors.length > 0) return errors;
  return output
    .replace(ANSI, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !PASSING.test(l));
}

/**
 * A failure's error part, normalised so that the same error reads the same on another tree or
 * run: no colours, timings, line numbers or counts; paths under `root` relative; packages from
 * `node_modules/`; other absolute paths by their last two parts (temporary checkouts differ).
 */
export function failureSignature(output: string, root?: string): string[] {
  const base = root?.replace(/\/+$/, '');
  const norm = (line: string) =>
    (base ? line.split(`${base}/`).join('').split(base).join('.') : line)
      .replace(/(?:\/[^\s'"`:()/]+)*\/node_modules\//g, 'node_modules/')
      .replace(/(?<![\w.])\/(?:[^\s'"`:()/]+\/)+([^\s'"`:()/]+\/[^\s'"`:()/]+)/g, '…/$1')
      .replace(/\b\d+(?:\.\d+)?\s?(?:ms|s|m|min)\b/g, '#')
      .replace(/\d+/g, '#')
      .replace(/\s+/g, ' ')
      .trim();
  return [...new Set(failureLines(output).map(norm))].filter((l) => l !== '');
}

/**
 * Findings of failed criterion runs: one per command (identical failures are one fix), routed by
 * `route`; a run whose command already failed on the base is not a finding here (it is reported
 * as pre-existing by the caller).
 */
export function criterionFindings(
  runs: readonly CriterionRun[],
  tasks: readonly Task[],
  route: (run: CriterionRun) => CriterionRoute = (r) => ({
    to: 'task',
    taskId: r.tasks[0]?.taskId ?? '',
    files: [],
  }),
): Finding[] {
  return runs.filter(criterionFailed).map((r) => {
    const routed = route(r);
    const task = routed.to === 'task' ? tasks.find((t) => t.id === routed.taskId) : undefined;
    const how = r.timedOut ? `timed out after ${r.durationMs} ms` : `exited with ${r.exitCode ?? 'an error'}`;
    const tail = r.outputTail.trimEnd().split('\n').slice(-20);
    const description =
      r.tasks.find((t) => t.taskId === task?.id)?.description ?? r.tasks[0]?.description ?? r.command;
    const others = r.tasks.map((t) => t.taskId).filter((id) => id !== task?.id);
    return {
      id: `criterion:${r.command}`,
      kind: 'criterion' as const,
      severity: 'error' as const,
      ...(task ? { taskId: task.id, agent: task.agent } : {}),
      title: `Success criterion failed: ${description}`,
      details: [
        `\`${r.command}\` ${how}`,
        ...(others.length ? [`also a criterion of: ${others.join(', ')}`] : []),
        ...(routed.to === 'user'
          ? [`it fails in files no task owns: ${routed.files.join(', ')}`]
          : routed.files.length
            ? [`it names: ${routed.files.join(', ')}`]
            : []),
        ...tail.map((l) => `  | ${l}`),
      ],
      expected: `\`${r.command}\` exits 0`,
      actual: how,
      fix:
        routed.to === 'user'
          ? `no task owns ${routed.files.join(', ')}: fix it on your branch, then resume the run`
          : `make \`${r.command}\` pass (${description})`,
      ...(others.length ? { relatedTasks: others } : {}),
    };
  });
}
