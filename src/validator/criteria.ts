import { spawn } from 'node:child_process';
import type { Task } from '../domain/plan.js';
import { type CommandSandbox, prepareCommand } from '../sandbox/index.js';
import type { Finding } from './types.js';

/** The outcome of one success-criterion command. */
export interface CriterionResult {
  taskId: string;
  description: string;
  command: string;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** The last part of stdout and stderr interleaved. */
  outputTail: string;
}

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

/** A runner that confines every command in `sandbox` (what a run passes to the validator). */
export function sandboxedRunner(sandbox: CommandSandbox): CommandRunner {
  return (command, options) => shellRunner(command, { ...options, sandbox });
}

/** Run the task's success criteria that have a command, in order, in `cwd`. */
export async function runCriteria(
  task: Task,
  settings: { cwd: string; runner?: CommandRunner; now?: () => number; sandbox?: CommandSandbox },
): Promise<CriterionResult[]> {
  const runner = settings.runner ?? shellRunner;
  const now = settings.now ?? Date.now;
  const results: CriterionResult[] = [];
  for (const c of task.successCriteria) {
    if (c.command === undefined) continue;
    const started = now();
    const r = await runner(c.command, {
      cwd: settings.cwd,
      timeoutMs: c.timeoutMs ?? DEFAULT_CRITERION_TIMEOUT_MS,
      ...(settings.sandbox ? { sandbox: settings.sandbox } : {}),
    });
    results.push({
      taskId: task.id,
      description: c.description,
      command: c.command,
      exitCode: r.exitCode,
      timedOut: r.timedOut,
      durationMs: now() - started,
      outputTail: r.output.slice(-TAIL_CHARS),
    });
  }
  return results;
}

/** A finding for each failed criterion, mapped to its task. */
export function criterionFindings(results: readonly CriterionResult[], tasks: readonly Task[]): Finding[] {
  return results
    .filter((r) => r.timedOut || r.exitCode !== 0)
    .map((r) => {
      const task = tasks.find((t) => t.id === r.taskId);
      const how = r.timedOut
        ? `timed out after ${r.durationMs} ms`
        : `exited with ${r.exitCode ?? 'an error'}`;
      const tail = r.outputTail.trimEnd().split('\n').slice(-20);
      return {
        id: `criterion:${r.taskId}:${r.command}`,
        kind: 'criterion' as const,
        severity: 'error' as const,
        taskId: r.taskId,
        ...(task ? { agent: task.agent } : {}),
        title: `Success criterion failed: ${r.description}`,
        details: [`\`${r.command}\` ${how}`, ...tail.map((l) => `  | ${l}`)],
        expected: `\`${r.command}\` exits 0`,
        actual: how,
        fix: `make \`${r.command}\` pass (${r.description})`,
      };
    });
}
