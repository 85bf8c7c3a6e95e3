import { homedir } from 'node:os';
import { action } from '../command.js';
import { printJson } from '../io.js';
import type { PlanSubcommand } from './plan.js';

/** `orchestra plan create "<request>"`: the orchestrator turns a request into a validated plan. */
export const registerCreate: PlanSubcommand = (plan, ctx) => {
  plan
    .command('create')
    .description(
      'Plan a request: the orchestrator (read-only tools) surveys the repository and answers with a validated task graph',
    )
    .argument(
      '<request>',
      'what to build, with its constraints ("PostgreSQL + Redis, no socket.io, sub-100ms latency")',
    )
    .option('--out <file>', 'also write the plan (YAML) to this file; refused if it exists')
    .option(
      '--model <model>',
      "the orchestrator's model (default: its definition, then orchestra.config.json)",
    )
    .option('--json', 'print the run id, plan, waves, rounds, warnings and cost as JSON')
    .addHelpText(
      'after',
      '\nThe plan is stored in the hub under a new run and written to .orchestra/runs/<run-id>/plan.yaml for review;\nrun it with: orchestra run --plan <that file>. Exit 2 when the plan stays invalid after the repair rounds.',
    )
    .action(
      action(ctx, async (request: string, o: { out?: string; model?: string; json?: boolean }) => {
        const [{ createPlan }, { planToText }, { planWaves }, { loadConfig }] = await Promise.all([
          import('../../orchestrator/index.js'),
          import('../../orchestrator/index.js'),
          import('../../scheduler/index.js'),
          import('../../config/index.js'),
        ]);
        if (!o.json) ctx.io.stderr('Planning: the orchestrator is surveying the repository…\n');
        const created = await createPlan({
          cwd: ctx.io.cwd,
          request,
          env: ctx.io.env,
          homeDir: ctx.io.env.HOME || homedir(),
          ...(o.out ? { out: o.out } : {}),
          ...(o.model ? { model: o.model } : {}),
        });
        const config = loadConfig(ctx.io.cwd);
        const limits = { maxParallel: config.maxParallel, contextBudget: config.contextBudget };
        const schedule = planWaves(created.plan.tasks, limits);
        if (o.json) {
          printJson(ctx.io, { ...created, limits, ...schedule });
          return 0;
        }
        for (const w of created.warnings) ctx.io.stderr(`warning: ${w}\n`);
        ctx.io.stdout(planToText(created.plan, schedule, limits));
        const u = created.usage;
        ctx.io.stdout(
          [
            '',
            `Run ${created.runId}: plan stored in the hub (contracts as version 1) and written to ${created.planPath}${created.outPath ? ` and ${created.outPath}` : ''}`,
            `Planning took ${created.rounds} round${created.rounds === 1 ? '' : 's'}: ${u.inputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens} input tokens, ${u.outputTokens} output, $${created.costUsd.toFixed(4)}`,
            `Next: review the plan, then orchestra run --plan ${created.planPath}`,
            '',
          ].join('\n'),
        );
        return 0;
      }),
    );
};
