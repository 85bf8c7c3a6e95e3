import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAgents } from '../agents/index.js';
import { projectRoot } from '../config/index.js';
import { OrchestraError, UserError } from '../errors.js';
import { ensureWorkDir } from '../git/index.js';
import { loadValidPlan } from '../orchestrator/plans.js';
import type { McpContext, ToolResult } from './types.js';

/** What `run_start` accepts: the flags of `orchestra run`, approval implied by the call. */
export interface RunStartArgs {
  request?: string | undefined;
  planFile?: string | undefined;
  resumeRunId?: string | undefined;
  maxParallel?: number | undefined;
  contextBudget?: number | undefined;
  budgetUsd?: number | undefined;
  waves?: 'strict' | 'dynamic' | undefined;
  model?: string | undefined;
  merge?: boolean | undefined;
}

/** How `run_start` starts the engine; injectable for tests. */
export interface RunStartSettings {
  /** The `orchestra` entry to run (default: this package's `bin/orchestra.js`). */
  cliPath?: string;
  /** How long to wait for the run id (planning a request takes a model's time). Default 120 s. */
  waitMs?: number;
}

/** This package's CLI entry, from `src/mcp` or `dist/mcp` alike. */
export const ORCHESTRA_CLI = fileURLToPath(new URL('../../bin/orchestra.js', import.meta.url));

/** The `orchestra run` arguments for a tool call (always `--yes --json`: the call is the approval). */
export function runArgv(a: RunStartArgs): string[] {
  const argv = ['run'];
  if (a.request !== undefined) argv.push(a.request);
  if (a.planFile !== undefined) argv.push('--plan', a.planFile);
  if (a.resumeRunId !== undefined) argv.push('--resume', a.resumeRunId);
  if (a.maxParallel !== undefined) argv.push('--max-parallel', String(a.maxParallel));
  if (a.contextBudget !== undefined) argv.push('--context-budget', String(a.contextBudget));
  if (a.budgetUsd !== undefined) argv.push('--budget-usd', String(a.budgetUsd));
  if (a.waves !== undefined) argv.push('--waves', a.waves);
  if (a.model !== undefined) argv.push('--model', a.model);
  if (a.merge) argv.push('--merge');
  argv.push('--yes', '--json');
  return argv;
}

/**
 * `run_start`: start `orchestra run --yes --json` as a detached background process (it outlives
 * this server and the session), wait until its event stream names the run, and return the id with
 * where its log is. Bad input is refused before anything starts, with the CLI's own message: a plan
 * file is checked here, and a run that ends before naming itself reports its stderr.
 */
export async function runStart(
  ctx: McpContext,
  args: RunStartArgs,
  settings: RunStartSettings = {},
): Promise<ToolResult> {
  const sources = [args.request, args.planFile, args.resumeRunId].filter((x) => x !== undefined).length;
  if (sources !== 1)
    throw new UserError(
      'run-source',
      'give exactly one of: a request ("<request>"), --plan <file>, or --resume <run-id>',
    );
  if (args.planFile !== undefined) {
    const knownAgents = loadAgents({ cwd: ctx.cwd, homeDir: ctx.homeDir }).agents.map((a) => a.name);
    loadValidPlan(resolve(ctx.cwd, args.planFile), { knownAgents });
  }
  const root = projectRoot(ctx.cwd);
  const dir = join(ensureWorkDir(root), 'mcp');
  mkdirSync(dir, { recursive: true });
  const stamp = `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
  const log = join(dir, `${stamp}.jsonl`);
  const errorLog = join(dir, `${stamp}.err`);
  const out = openSync(log, 'w');
  const err = openSync(errorLog, 'w');
  let child: ChildProcess;
  try {
    const env = { ...ctx.env };
    // A `claude` started from inside a Claude Code session refuses to run while this is set.
    delete env.CLAUDECODE;
    child = spawn(process.execPath, [settings.cliPath ?? ORCHESTRA_CLI, ...runArgv(args)], {
      cwd: ctx.cwd,
      env,
      detached: true,
      stdio: ['ignore', out, err],
    });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  child.on('error', () => {
    exited = -1;
  });
  child.unref();
  const pid = child.pid ?? 0;
  const deadline = Date.now() + (settings.waitMs ?? 120_000);
  for (;;) {
    const runId = firstRunId(log);
    if (runId !== undefined) {
      const watch = `orchestra status ${runId}`;
      return {
        structured: { runId, pid, log, errorLog, watch },
        text: `Started run ${runId} in the background (process ${pid}). Follow it with the run_status tool or \`${watch}\`; the event log is ${log}.`,
      };
    }
    if (exited !== undefined) {
      const message = readFileSync(errorLog, 'utf8')
        .trim()
        .replace(/^orchestra: /, '');
      throw new OrchestraError(
        'run-start-failed',
        message || `orchestra run ended (exit ${String(exited)}) before starting a run; see ${log}`,
      );
    }
    if (Date.now() > deadline)
      return {
        structured: { runId: null, pid, log, errorLog, watch: 'orchestra runs' },
        text: `orchestra run is still planning (process ${pid}); its run id will appear in the runs_list tool and in ${log}.`,
      };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The run id of the first event line of a `--json` run log, once there is one. */
function firstRunId(log: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (!line.endsWith('}')) continue;
    try {
      const v = JSON.parse(line) as { runId?: unknown };
      if (typeof v.runId === 'string') return v.runId;
    } catch {
      // A line still being written.
    }
  }
  return undefined;
}
