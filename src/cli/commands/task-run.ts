import type { Command } from 'commander';
import type { EventPayload } from '../../domain/index.js';
import type { TaskRunOutcome } from '../../run/index.js';
import { action, type CliContext } from '../command.js';
import { positiveNumber } from '../flags.js';
import { type CliIo, printJson } from '../io.js';
import type { TaskSubcommand } from './task.js';

interface RunOptions {
  agent: string;
  owns?: string[];
  reads?: string[];
  contextFrom?: string[];
  model?: string;
  maxTurns?: string;
  maxBudgetUsd?: string;
  json?: boolean;
  unsandboxed?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `orchestra task run`: one specialist in its own worktree, ownership enforced, lifecycle watched. */
export const registerRun: TaskSubcommand = (task: Command, ctx: CliContext) => {
  task
    .command('run')
    .description('Run one specialist on one task in its own worktree and branch, writes limited to --owns')
    .argument('<instructions>', 'what the specialist should do')
    .requiredOption('--agent <name>', 'agent definition to run (see orchestra agents list)')
    .option('--owns <glob>', 'paths the task may write (repeatable)', collect)
    .option('--reads <glob>', 'paths the task needs to read (repeatable)', collect)
    .option('--context-from <source>', 'extra context: hub:interfaces (latest contracts in the hub)', collect)
    .option('--model <model>', 'model (alias or full id); default: the agent, then orchestra.config.json')
    .option('--max-turns <n>', 'turn limit of the agent process')
    .option('--max-budget-usd <usd>', 'spending cap of the agent process')
    .option(
      '--json',
      'print one JSON object: runId, taskId, branch, filesChanged, denied, usage, costUsd, status …',
    )
    .option(
      '--unsandboxed',
      "run the agent's commands WITHOUT the OS sandbox (only where bubblewrap cannot run)",
    )
    .addHelpText(
      'after',
      '\nThe work lands on branch orchestra/<run-id>/task; your checkout, index and branches are not touched.\nExit 0 when the task succeeded, 1 when it failed or was terminated, 2 on bad input.',
    )
    .action(
      action(ctx, async (instructions: string, o: RunOptions) => {
        const { runSingleTask } = await import('../../run/index.js');
        const out = await runSingleTask({
          cwd: ctx.io.cwd,
          env: ctx.io.env,
          agent: o.agent,
          owns: o.owns ?? [],
          reads: o.reads ?? [],
          contextFrom: o.contextFrom ?? [],
          instructions,
          ...(o.unsandboxed ? { unsandboxed: true } : {}),
          ...(o.model ? { model: o.model } : {}),
          ...(o.maxTurns ? { maxTurns: positiveNumber('--max-turns', o.maxTurns, { integer: true }) } : {}),
          ...(o.maxBudgetUsd ? { maxBudgetUsd: positiveNumber('--max-budget-usd', o.maxBudgetUsd) } : {}),
          ...(o.json ? {} : { onEvent: (e: EventPayload) => progress(ctx.io, e) }),
        });
        if (o.json) printJson(ctx.io, toJson(out));
        else printOutcome(ctx.io, out);
        return out.status === 'succeeded' ? 0 : 1;
      }),
    );
};

function progress(io: CliIo, e: EventPayload): void {
  if (e.type === 'tool.used') io.stderr(`  ${e.tool}${summarizeInput(e.input)}\n`);
  else if (e.type === 'tool.denied')
    io.stderr(`  denied ${e.tool}${e.path ? ` ${e.path}` : ''}: ${e.reason}\n`);
  else if (e.type === 'api.retry') io.stderr(`  API error ${e.status ?? ''}, retry ${e.attempt}\n`);
}

function summarizeInput(input: unknown): string {
  if (!input || typeof input !== 'object') return '';
  const i = input as Record<string, unknown>;
  const v = i.file_path ?? i.command ?? i.pattern ?? i.path;
  return typeof v === 'string' ? ` ${v.length > 80 ? `${v.slice(0, 77)}...` : v}` : '';
}

function toJson(o: TaskRunOutcome) {
  return {
    runId: o.runId,
    taskId: o.taskId,
    status: o.status,
    branch: o.branch,
    commit: o.commit,
    filesChanged: o.filesChanged,
    denied: o.denied,
    scopeViolations: o.scopeViolations,
    usage: o.usage,
    costUsd: o.costUsd,
    result: o.result ?? null,
    reason: o.reason ?? null,
    attempts: o.attempts,
  };
}

function printOutcome(io: CliIo, o: TaskRunOutcome): void {
  const u = o.usage;
  const lines = [
    `${o.status === 'succeeded' ? 'succeeded' : o.status.toUpperCase()}  run ${o.runId}, task ${o.taskId}`,
    `branch        ${o.branch}${o.commit ? ` (${o.commit.slice(0, 10)})` : ' (no commit: nothing changed)'}`,
    `files changed ${o.filesChanged.length ? o.filesChanged.join(', ') : '(none)'}`,
    `denied        ${o.denied.length ? o.denied.map((d) => `${d.tool} ${d.path ?? ''}`.trim()).join(', ') : '(none)'}`,
    `tokens        input ${u.inputTokens}, output ${u.outputTokens}, cache write ${u.cacheCreationInputTokens}, cache read ${u.cacheReadInputTokens}`,
    `cost          $${o.costUsd.toFixed(4)}`,
    `attempts      ${o.attempts.map((a) => `${a.status}${a.reason ? ` (${a.reason})` : ''}`).join(' → ') || '(none)'}`,
  ];
  if (o.result) lines.push(`result        ${o.result.summary}`);
  if (o.reason) lines.push(`reason        ${o.reason}`);
  io.stdout(`${lines.join('\n')}\n`);
}
