import { homedir } from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import type { StoredEvent } from '../../hub/index.js';
import type { RunOptions, RunOutcome, WaveMode } from '../../run/index.js';
import { colorEnabled, terminalWidth } from '../../terminal/index.js';
import { action, type CliContext } from '../command.js';
import { positiveNumber } from '../flags.js';
import type { CliIo } from '../io.js';

interface Flags {
  plan?: string;
  resume?: string;
  yes?: boolean;
  maxParallel?: string;
  contextBudget?: string;
  budgetUsd?: string;
  waves?: string;
  model?: string;
  merge?: boolean;
  rebase?: boolean;
  baseline?: string;
  json?: boolean;
  unsandboxed?: boolean;
}

/** `orchestra run`: the whole orchestra, from a request (or plan, or stopped run) to an integration branch. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description(
      'Play the whole orchestra: plan, approve, dispatch specialists in waves, merge and validate, fix, report',
    )
    .argument('[request]', 'what to build (planned by the orchestrator); or use --plan / --resume')
    .option('--plan <file>', 'run a plan file instead of planning a request')
    .option('--resume <run-id>', 'continue a stopped or interrupted run (merged work is not redone)')
    .option('-y, --yes', 'start without asking for approval of the plan')
    .option('--max-parallel <n>', 'specialists at once (default: orchestra.config.json maxParallel)')
    .option('--context-budget <tokens>', 'estimated context tokens per wave (default: config contextBudget)')
    .option('--budget-usd <usd>', 'stop cleanly (resumable) before spending more than this')
    .option(
      '--rebase',
      'with --resume: move the run onto your current branch head (after you committed a fix there); merged tasks are replayed by the merge train, not redone',
    )
    .option(
      '--waves <mode>',
      'strict (waves with synthesis between them, the default) or dynamic (start tasks as soon as possible)',
    )
    .option('--model <model>', 'model for every agent (alias or full id)')
    .option(
      '--baseline <kind>',
      'single-agent: also run the request by one agent alone, for the report to compare',
    )
    .option('--merge', 'when everything is green, merge the integration branch into your current branch')
    .option('--json', 'emit the event stream as JSON lines, then the outcome')
    .option(
      '--unsandboxed',
      "run agents' commands and success criteria WITHOUT the OS sandbox (only where bubblewrap cannot run; shown in the plan, progress and report)",
    )
    .addHelpText(
      'after',
      '\nYour checkout and branches are never touched: each task works on orchestra/<run>/<task> in its own worktree\n(in your state directory, never inside the repository), and the result is the branch\norchestra/<run>/integration (merged into your branch only with --merge).\nExit 0 when the integration branch is green, 1 when the run failed or stopped, 2 on bad input.',
    )
    .action(
      action(ctx, async (request: string | undefined, f: Flags) => {
        const waves = f.waves;
        if (waves !== undefined && waves !== 'strict' && waves !== 'dynamic')
          throw new UserError('bad-flag', `--waves must be strict or dynamic, got "${waves}"`);
        if (f.baseline !== undefined && f.baseline !== 'single-agent')
          throw new UserError('bad-flag', `--baseline must be single-agent, got "${f.baseline}"`);
        const options: RunOptions = {
          cwd: ctx.io.cwd,
          env: ctx.io.env,
          homeDir: ctx.io.env.HOME || homedir(),
          // Unset flags stay unset: a resumed run keeps what it was started with.
          ...(waves !== undefined ? { waves: waves as WaveMode } : {}),
          ...(f.rebase ? { rebase: true } : {}),
          ...(request !== undefined ? { request } : {}),
          ...(f.plan ? { planFile: f.plan } : {}),
          ...(f.resume ? { resumeRunId: f.resume } : {}),
          ...(f.yes ? { yes: true } : {}),
          ...(f.merge ? { merge: true } : {}),
          ...(f.unsandboxed ? { unsandboxed: true } : {}),
          ...(f.baseline ? { baseline: 'single-agent' as const } : {}),
          ...(f.model ? { model: f.model } : {}),
          ...(f.maxParallel
            ? { maxParallel: positiveNumber('--max-parallel', f.maxParallel, { integer: true }) }
            : {}),
          ...(f.contextBudget
            ? { contextBudget: positiveNumber('--context-budget', f.contextBudget, { integer: true }) }
            : {}),
          ...(f.budgetUsd ? { budgetUsd: positiveNumber('--budget-usd', f.budgetUsd) } : {}),
        };
        const { createProgressView } = await import('../../run/index.js');
        const view = createProgressView({
          io: f.json
            ? { write: ctx.io.stdout, isTTY: false }
            : {
                write: ctx.io.stderr,
                isTTY: ctx.io.isTTY && Boolean(process.stderr.isTTY),
                columns: terminalWidth({ env: ctx.io.env, columns: process.stderr.columns }, 100),
                rows: process.stderr.rows ?? 40,
                noColor: !colorEnabled({ isTTY: true, env: ctx.io.env }),
              },
          ...(f.json ? { mode: 'json' as const } : {}),
        });
        options.onEvent = (e: StoredEvent) => view.onEvent(e);
        if (!f.yes && ctx.io.isTTY && process.stdin.isTTY)
          options.approve = (_plan, shown) => ask(ctx.io, shown);
        const { runOrchestra } = await import('../../run/index.js');
        const out = await runOrchestra(options).finally(() => view.close());
        if (f.json) ctx.io.stdout(`${JSON.stringify({ type: 'outcome', ...out })}\n`);
        else printOutcome(ctx.io, out);
        return out.status === 'succeeded' ? 0 : 1;
      }),
    );
}

async function ask(io: CliIo, shown: string): Promise<boolean> {
  io.stderr(`${shown}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question('Start this run? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function printOutcome(io: CliIo, o: RunOutcome): void {
  const lines = [
    '',
    `${o.status === 'succeeded' ? 'Succeeded' : o.status === 'stopped' ? 'Stopped' : 'Failed'}: run ${o.runId}`,
    `integration branch  ${o.integrationBranch}`,
    `merged              ${o.merged.join(', ') || '(none)'}`,
  ];
  if (o.failed.length)
    lines.push(`not merged          ${o.failed.map((f) => `${f.taskId} (${f.reason})`).join('; ')}`);
  lines.push(`fix rounds          ${o.fixRounds}`);
  if (o.openIssues.length) lines.push(`open issues         ${o.openIssues.join('; ')}`);
  if (o.mergedInto) lines.push(`merge               ${o.mergedInto}`);
  if (o.reason) lines.push(`reason              ${o.reason}`);
  lines.push(`report              orchestra report ${o.runId}`);
  io.stdout(`${lines.join('\n')}\n`);
}
