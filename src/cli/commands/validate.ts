import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { action, type CliContext } from '../command.js';
import { printJson, styler } from '../io.js';

const HELP = `
Cheapest checks first: every branch is merged in plan order without a checkout, so a branch that
cannot merge is reported before any type check or test runs. Then the base is checked: what already
fails there (type errors, criteria) is reported under "Already failing on the base" and never counted.
Then the merge train, one type check with the project's own TypeScript (its node_modules, its
tsconfig), each distinct criterion command once (progress says which ran and how they ended),
contracts, races and dependencies.
Branches made elsewhere are validated even if the plan would not have let their tasks run at once:
overlapping ownership is a warning, the merge order follows the plan, and a conflict is reported.
With --json every outcome, a refusal too, is one JSON object on stdout.
The integration branch and worktree stay for review; \`orchestra clean\` removes them.

Examples:
  orchestra validate --plan plan.yaml --task api=task/api --task ui=task/ui
  orchestra validate --run 2026-01-01-ab12 --json
`;

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
    .addHelpText('after', HELP)
    .action(
      action(ctx, async (opts: ValidateOptions) => {
        const progress = (line: string) => ctx.io.stderr(`${line}\n`);
        try {
          const report = await validate(ctx, opts, progress);
          const { formatReport } = await import('../../validator/index.js');
          if (opts.json) printJson(ctx.io, report);
          else ctx.io.stdout(formatReport(report, styler(ctx.io)));
          return report.ok ? 0 : 1;
        } catch (e) {
          if (!opts.json) throw e;
          // With --json every outcome is one JSON object on stdout, a refusal too.
          const { isOrchestraError, ExitCode } = await import('../../errors.js');
          const known = isOrchestraError(e);
          const code = known ? e.exitCode : ExitCode.failure;
          printJson(ctx.io, {
            ok: false,
            exitCode: code,
            error: {
              code: known ? e.code : 'unexpected',
              message: e instanceof Error ? e.message : String(e),
            },
          });
          return code;
        }
      }),
    );
}

type Report = Awaited<ReturnType<typeof import('../../validator/index.js').validateBranches>>;

async function validate(
  ctx: CliContext,
  opts: ValidateOptions,
  progress: (line: string) => void,
): Promise<Report> {
  const { loadConfig } = await import('../../config/index.js');
  const config = loadConfig(ctx.io.cwd);
  const common = {
    cwd: ctx.io.cwd,
    noMerge: !opts.merge,
    excludedDependencies: config.excludedDependencies,
    onProgress: progress,
  };
  if (opts.run !== undefined) {
    if (opts.plan !== undefined || opts.task.length > 0 || opts.base !== undefined) {
      throw new UserError(
        'bad-flags',
        '--run takes the plan, branches and base from the hub; drop --plan, --task and --base',
      );
    }
    const { openRepo } = await import('../../git/index.js');
    const { hubPath, openHub } = await import('../../hub/index.js');
    const { validateRun } = await import('../../validator/index.js');
    const repo = await openRepo(ctx.io.cwd);
    const hub = openHub({ path: hubPath(repo.root) });
    try {
      return await validateRun({ ...common, runId: opts.run, hub });
    } finally {
      hub.close();
    }
  }
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
  const { plan, warnings } = await loadPlanForBranches(resolve(ctx.io.cwd, opts.plan), opts.plan, progress);
  const { validateBranches } = await import('../../validator/index.js');
  const { randomBytes } = await import('node:crypto');
  const runId = `validate-${randomBytes(4).toString('hex')}`;
  const record = opts.merge ? await recordValidation(ctx.io.cwd, runId) : undefined;
  try {
    return await validateBranches({
      ...common,
      plan,
      branches,
      runId,
      warnings,
      ...(opts.base !== undefined ? { base: opts.base } : {}),
    });
  } finally {
    await record?.finish();
  }
}

/**
 * The plan the branches implement. The branches already exist, so what the plan checks to let tasks
 * run at once (overlapping ownership) cannot be prevented any more: it is a warning, and the merge
 * order follows the plan. Every other plan error is still a refusal.
 */
async function loadPlanForBranches(path: string, shown: string, progress: (line: string) => void) {
  const { checkPlanFile, formatPlanProblem } = await import('../../orchestrator/plans.js');
  const r = checkPlanFile(path);
  const afterTheFact = new Set(['ownership-overlap']);
  const blocking = r.problems.filter((p) => p.severity === 'error' && !afterTheFact.has(p.code));
  if (!r.plan || blocking.length > 0) {
    throw new UserError(
      'invalid-plan',
      `${shown} is not a valid plan (${blocking.length} error${blocking.length === 1 ? '' : 's'}):\n${blocking.map((p) => `  ${formatPlanProblem(shown, p)}`).join('\n')}`,
    );
  }
  const warnings: string[] = [];
  for (const p of r.problems) {
    if (afterTheFact.has(p.code))
      warnings.push(`${p.message} (the branches exist: merged in plan order, a conflict is reported as one)`);
    else progress(formatPlanProblem(shown, p));
  }
  return { plan: r.plan, warnings };
}

/**
 * Record the validation's integration branch and worktree in Orchestra's registry before they are
 * created, so `orchestra clean` removes them (also after the process was killed).
 */
async function recordValidation(cwd: string, runId: string) {
  const { openRepo, processStamp } = await import('../../git/index.js');
  const { updateRegistry } = await import('../../executor/registry.js');
  const { integrationBranch, integrationWorktreePath } = await import('../../validator/index.js');
  const { runWorktreesDir } = await import('../../config/index.js');
  const repo = await openRepo(cwd);
  const now = () => new Date().toISOString();
  // The run's directory in the state dir: the sweep removes only worktrees recorded inside it.
  const dir = runWorktreesDir({ root: repo.root, runId });
  await updateRegistry(repo.commonDir, (reg) => {
    reg.runs[runId] = { owner: processStamp(), root: repo.root, dir, base: repo.head, startedAt: now() };
    reg.worktrees.push({
      runId,
      taskId: 'integration',
      path: integrationWorktreePath(repo.root, runId),
      branch: integrationBranch(runId),
      createdAt: now(),
    });
  });
  return {
    finish: () =>
      updateRegistry(repo.commonDir, (reg) => {
        const run = reg.runs[runId];
        if (run) run.finishedAt = now();
      }),
  };
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
