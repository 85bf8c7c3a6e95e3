import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { action, type CliContext } from '../command.js';
import { positiveNumber } from '../flags.js';
import { printJson } from '../io.js';
import { registerCreate } from './plan-create.js';

/** Adds one subcommand to `orchestra plan`; `plan create` joins by adding its registrar here. */
export type PlanSubcommand = (plan: Command, ctx: CliContext) => void;

/** `orchestra plan check <file>`: every problem of a plan file, exit 2 on errors. */
export const registerCheck: PlanSubcommand = (plan, ctx) => {
  plan
    .command('check')
    .description('Validate a plan file (YAML or JSON) and list every problem with its line')
    .argument('<file>', 'plan file')
    .option('--json', 'print the report as JSON')
    .option(
      '--agents-dir <dir>',
      'accept the agents of this directory and the built-ins (default: those visible here)',
    )
    .action(
      action(ctx, async (file: string, opts: { json?: boolean; agentsDir?: string }) => {
        const { checkPlanText, formatPlanProblem, readPlanText } = await import(
          '../../orchestrator/plans.js'
        );
        const knownAgents = await knownAgentNames(ctx, opts.agentsDir);
        const report = checkPlanText(readPlanText(resolve(ctx.io.cwd, file)), file, { knownAgents });
        if (opts.json) {
          const { plan: _plan, ...rest } = report;
          printJson(ctx.io, rest);
        } else {
          for (const p of report.problems) ctx.io.stdout(`${formatPlanProblem(file, p)}\n`);
          ctx.io.stdout(`${file}: ${summary(report)}\n`);
        }
        return report.valid ? 0 : 2;
      }),
    );
};

/** `orchestra plan show <file>`: goal, tasks, contracts, waves and the graph. */
export const registerShow: PlanSubcommand = (plan, ctx) => {
  plan
    .command('show')
    .description('Show a plan: tasks, contracts, waves with their token totals, and a mermaid graph')
    .argument('<file>', 'plan file')
    .option('--format <format>', 'text, json or mermaid', 'text')
    .option('--max-parallel <n>', 'tasks per wave (default: maxParallel of orchestra.config.json)')
    .option('--context-budget <tokens>', 'estimated tokens per wave (default: contextBudget of the config)')
    .action(
      action(
        ctx,
        async (file: string, opts: { format: string; maxParallel?: string; contextBudget?: string }) => {
          if (!['text', 'json', 'mermaid'].includes(opts.format))
            throw new UserError(
              'bad-format',
              `unknown format "${opts.format}"; choose text, json or mermaid`,
            );
          const { loadConfig } = await import('../../config/index.js');
          const { loadValidPlan, planToMermaid, planToText, formatPlanProblem } = await import(
            '../../orchestrator/plans.js'
          );
          const { planWaves } = await import('../../scheduler/index.js');
          const config = loadConfig(ctx.io.cwd);
          const limits = {
            maxParallel: positiveInt('--max-parallel', opts.maxParallel) ?? config.maxParallel,
            contextBudget: positiveInt('--context-budget', opts.contextBudget) ?? config.contextBudget,
          };
          const { plan: p, report } = loadValidPlan(resolve(ctx.io.cwd, file));
          for (const w of report.problems) ctx.io.stderr(`${formatPlanProblem(file, w)}\n`);
          if (opts.format === 'mermaid') {
            ctx.io.stdout(planToMermaid(p));
            return 0;
          }
          const schedule = planWaves(p.tasks, limits);
          if (opts.format === 'json') printJson(ctx.io, { plan: p, limits, ...schedule });
          else ctx.io.stdout(planToText(p, schedule, limits));
          return 0;
        },
      ),
    );
};

/** The subcommands of `orchestra plan`, in `--help` order. */
export const planSubcommands: PlanSubcommand[] = [registerCreate, registerCheck, registerShow];

/** `orchestra plan …`: check and show plan files. */
export function register(program: Command, ctx: CliContext): void {
  const plan = program
    .command('plan')
    .description('Create, check and show plans (task graphs in YAML or JSON)');
  for (const add of planSubcommands) add(plan, ctx);
}

/** Agents a plan may name: those of `--agents-dir` plus the built-ins, else those visible from cwd. */
async function knownAgentNames(ctx: CliContext, agentsDir: string | undefined): Promise<string[]> {
  const { BUILTIN_AGENT_NAMES, loadAgents, readAgentDir } = await import('../../agents/index.js');
  if (agentsDir === undefined)
    return loadAgents({ cwd: ctx.io.cwd, homeDir: ctx.io.env.HOME || homedir() }).agents.map((a) => a.name);
  const dir = resolve(ctx.io.cwd, agentsDir);
  const { existsSync, statSync } = await import('node:fs');
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UserError('bad-agents-dir', `--agents-dir ${agentsDir} is not a directory of agent files`);
  const names = readAgentDir(dir, 'project').results.flatMap((r) => (r.agent ? [r.agent.name] : []));
  return [...names, ...BUILTIN_AGENT_NAMES];
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : positiveNumber(flag, value, { integer: true });
}

function summary(r: {
  valid: boolean;
  errors: number;
  warnings: number;
  plan?: { tasks: unknown[] };
}): string {
  const count = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  const w = r.warnings > 0 ? `, ${count(r.warnings, 'warning')}` : '';
  if (!r.valid) return `invalid: ${count(r.errors, 'error')}${w}`;
  return `valid (${count(r.plan?.tasks.length ?? 0, 'task')}${w})`;
}
