import { resolve } from 'node:path';
import { findAgent } from '../agents/index.js';
import { loadConfig, projectRoot } from '../config/index.js';
import { UserError } from '../errors.js';
import { openRepo } from '../git/index.js';
import { hubPath, openHub } from '../hub/index.js';
// Not on hub/index: `orchestra task context` uses this same function.
import { formatPlanProblem, loadValidPlan, taskContext } from '../orchestrator/index.js';
import { formatReport, type ValidationReport, validateBranches, validateRun } from '../validator/index.js';
import type { McpContext, ToolResult } from './types.js';

/** `task_context`: the packet a task's specialist starts with (`orchestra task context --json`). */
export async function taskContextTool(
  ctx: McpContext,
  args: { planFile: string; taskId: string; budget?: number | undefined; runId?: string | undefined },
): Promise<ToolResult> {
  const r = await taskContext({
    planPath: resolve(ctx.cwd, args.planFile),
    planLabel: args.planFile,
    taskId: args.taskId,
    repoRoot: projectRoot(ctx.cwd),
    ...(args.budget === undefined ? {} : { budget: args.budget }),
    ...(args.runId === undefined ? {} : { runId: args.runId }),
    findAgent: (name) => findAgent(name, { cwd: ctx.cwd, homeDir: ctx.homeDir }),
  });
  const p = r.packet;
  return {
    structured: { ...p, runId: r.runId, agentSource: r.agentSource, notes: r.notes },
    text: `${p.text}\n\n(${p.tokens} tokens of a ${p.budget}-token budget${
      p.omitted.length ? `; left out: ${p.omitted.map((o) => o.name).join(', ')}` : ''
    })`,
  };
}

/** Arguments of `validate`: a plan with branches, or a run of the hub. */
export interface ValidateArgs {
  plan?: string | undefined;
  tasks?: Array<{ taskId: string; ref: string }> | undefined;
  base?: string | undefined;
  runId?: string | undefined;
  noMerge?: boolean | undefined;
}

/**
 * `validate`: merge branches one by one and check contracts, types, criteria, races and
 * dependencies, exactly as `orchestra validate --json` does (same checks, same messages).
 */
export async function validateTool(ctx: McpContext, args: ValidateArgs): Promise<ToolResult> {
  const config = loadConfig(ctx.cwd);
  const progress: string[] = [];
  const common = {
    cwd: ctx.cwd,
    noMerge: args.noMerge === true,
    excludedDependencies: config.excludedDependencies,
    onProgress: (line: string) => progress.push(line),
  };
  let report: ValidationReport;
  if (args.runId !== undefined) {
    if (args.plan !== undefined || (args.tasks?.length ?? 0) > 0 || args.base !== undefined)
      throw new UserError(
        'bad-flags',
        '--run takes the plan, branches and base from the hub; drop --plan, --task and --base',
      );
    const repo = await openRepo(ctx.cwd);
    const hub = openHub({ path: hubPath(repo.root) });
    try {
      report = await validateRun({ ...common, runId: args.runId, hub });
    } finally {
      hub.close();
    }
  } else {
    if (args.plan === undefined)
      throw new UserError(
        'bad-flags',
        'pass --plan <file> with --task <task-id>=<git-ref> for each branch, or --run <id>',
      );
    if (!args.tasks || args.tasks.length === 0)
      throw new UserError('bad-flags', 'pass --task <task-id>=<git-ref> for each branch to validate');
    const { plan, report: planReport } = loadValidPlan(resolve(ctx.cwd, args.plan));
    for (const w of planReport.problems) progress.push(formatPlanProblem(args.plan, w));
    report = await validateBranches({
      ...common,
      plan,
      branches: args.tasks,
      ...(args.base !== undefined ? { base: args.base } : {}),
    });
  }
  return { structured: { ...report, progress }, text: formatReport(report) };
}
