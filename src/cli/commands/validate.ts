import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { action, type CliContext } from '../command.js';
import { printJson, styler } from '../io.js';

interface ValidateOptions {
  plan?: string;
  run?: string;
  task: string[];
  base?: string;
  merge: boolean;
  json?: boolean;
}

/**
 * `orchestra validate`: merge task branches into an integration branch one at a time and check
 * contracts, types, success criteria, races and dependencies. Exit 0 clean, 1 issues, 2 bad input.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description(
      'Merge task branches one by one and check contracts, types, criteria, races and dependencies',
    )
    .option('--plan <file>', 'the plan the branches implement (YAML or JSON)')
    .option('--task <id=ref>', 'a task and the git ref holding its work; repeat for each task', collect, [])
    .option('--base <ref>', 'where the integration starts (default: HEAD)')
    .option('--run <id>', "validate a run's completed tasks from the hub (writes fix tasks there)")
    .option('--no-merge', 'check in a temporary checkout without writing the integration branch')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  orchestra validate --plan plan.yaml --task api=task/api --task ui=task/ui\n  orchestra validate --run 2026-01-01-ab12 --json',
    )
    .action(
      action(ctx, async (opts: ValidateOptions) => {
        const progress = (line: string) => ctx.io.stderr(`${line}\n`);
        const { formatReport } = await import('../../validator/index.js');
        const { loadConfig } = await import('../../config/index.js');
        const config = loadConfig(ctx.io.cwd);
        const common = {
          cwd: ctx.io.cwd,
          noMerge: !opts.merge,
          excludedDependencies: config.excludedDependencies,
          onProgress: progress,
        };
        let report: Awaited<ReturnType<typeof import('../../validator/index.js').validateBranches>>;
        if (opts.run !== undefined) {
          if (opts.plan !== undefined || opts.task.length > 0 || opts.base !== undefined) {
            throw new UserError(
              'bad-flags',
              '--run takes the plan, branches and base from the hub; drop --plan, --task and --base',
            );
          }
          const { openRepo } = await import('../../git/index.js');
          const { hubPath, openHub } = await import('../../hub/index.js');
          const { validateRun } = await import('../../validator/validate-run.js');
          const repo = await openRepo(ctx.io.cwd);
          const hub = openHub({ path: hubPath(repo.root) });
          try {
            report = await validateRun({ ...common, runId: opts.run, hub });
          } finally {
            hub.close();
          }
        } else {
          if (opts.plan === undefined) {
            throw new UserError(
              'bad-flags',
              'pass --plan <file> with --task <task-id>=<git-ref> for each branch, or --run <id>',
            );
          }
          if (opts.task.length === 0) {
            throw new UserError('bad-flags', 'pass --task <task-id>=<git-ref> for each branch to validate');
          }
          const branches = opts.task.map(parseTaskFlag);
          const { loadValidPlan, formatPlanProblem } = await import('../../orchestrator/index.js');
          const { plan, report: planReport } = loadValidPlan(resolve(ctx.io.cwd, opts.plan));
          for (const w of planReport.problems) progress(formatPlanProblem(opts.plan, w));
          const { validateBranches } = await import('../../validator/index.js');
          report = await validateBranches({
            ...common,
            plan,
            branches,
            ...(opts.base !== undefined ? { base: opts.base } : {}),
          });
        }
        if (opts.json) printJson(ctx.io, report);
        else ctx.io.stdout(formatReport(report, styler(ctx.io)));
        return report.ok ? 0 : 1;
      }),
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `api=task/api` → the task id and its ref. */
function parseTaskFlag(flag: string): { taskId: string; ref: string } {
  const eq = flag.indexOf('=');
  const taskId = flag.slice(0, eq).trim();
  const ref = flag.slice(eq + 1).trim();
  if (eq < 0 || !taskId || !ref) {
    throw new UserError(
      'bad-flags',
      `--task ${flag}: expected <task-id>=<git-ref>, e.g. --task api=task/api`,
    );
  }
  return { taskId, ref };
}
