import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';
import { positiveNumber } from '../flags.js';
import { printJson } from '../io.js';
import { registerRun } from './task-run.js';

/** Adds one subcommand to `orchestra task`; `task run` joins by adding its registrar here. */
export type TaskSubcommand = (task: Command, ctx: CliContext) => void;

/** `orchestra task context <plan-file> <task-id>`: the packet a specialist would start with. */
export const registerContext: TaskSubcommand = (task, ctx) => {
  task
    .command('context')
    .description("Print a task's context packet (fitted to a token budget) and its token count")
    .argument('<plan-file>', 'plan file (YAML or JSON)')
    .argument('<task-id>', 'id of a task of the plan')
    .option('--budget <tokens>', 'token budget of the packet (default 8000)')
    .option(
      '--run <run-id>',
      'hub run to read decisions, contracts and handoffs from (default: newest with the task)',
    )
    .option('--json', 'print the packet, its sections and what was left out as JSON')
    .action(
      action(
        ctx,
        async (planFile: string, taskId: string, opts: { budget?: string; run?: string; json?: boolean }) => {
          const budget =
            opts.budget === undefined
              ? undefined
              : positiveNumber('--budget', opts.budget, { integer: true });
          const [{ taskContext }, { projectRoot }, { findAgent }] = await Promise.all([
            import('../../orchestrator/plans.js'),
            import('../../config/index.js'),
            import('../../agents/index.js'),
          ]);
          const cwd = ctx.io.cwd;
          const homeDir = ctx.io.env.HOME || homedir();
          const r = await taskContext({
            planPath: resolve(cwd, planFile),
            planLabel: planFile,
            taskId,
            repoRoot: projectRoot(cwd),
            ...(budget === undefined ? {} : { budget }),
            ...(opts.run === undefined ? {} : { runId: opts.run }),
            findAgent: (name) => findAgent(name, { cwd, homeDir }),
          });
          const p = r.packet;
          if (opts.json) {
            printJson(ctx.io, { ...p, runId: r.runId, agentSource: r.agentSource, notes: r.notes });
            return 0;
          }
          ctx.io.stdout(p.text);
          for (const n of r.notes) ctx.io.stderr(`note: ${n}\n`);
          const left = p.omitted.length ? `; left out: ${p.omitted.map((o) => o.name).join(', ')}` : '';
          const source = r.runId === null ? 'plan only' : `hub run ${r.runId}`;
          ctx.io.stderr(
            `${p.tokens} tokens (${p.tokenizer}) of a ${p.budget}-token budget, from ${source}${left}${
              p.overBudget ? '; over budget: the task and its files alone exceed it' : ''
            }\n`,
          );
          return 0;
        },
      ),
    );
};

/** Every `task` subcommand, in help order. */
export const taskSubcommands: readonly TaskSubcommand[] = [registerContext, registerRun];

/** `orchestra task …`: one task of a plan. */
export function register(program: Command, ctx: CliContext): void {
  const task = program
    .command('task')
    .description('Work with one task: its context packet, or run one specialist');
  for (const add of taskSubcommands) add(task, ctx);
}
