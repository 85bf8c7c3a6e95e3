import { resolve } from 'node:path';
import { loadAgents } from '../agents/index.js';
import { loadConfig } from '../config/index.js';
import {
  checkPlanText,
  formatPlanProblem,
  loadValidPlan,
  planToMermaid,
  planToText,
  readPlanText,
} from '../orchestrator/plans.js';
import { planWaves } from '../scheduler/index.js';
import type { McpContext, ToolResult } from './types.js';

/** `plan_check`: every problem of a plan file, as `orchestra plan check --json` reports them. */
export function planCheck(ctx: McpContext, args: { file: string }): ToolResult {
  const knownAgents = loadAgents({ cwd: ctx.cwd, homeDir: ctx.homeDir }).agents.map((a) => a.name);
  const report = checkPlanText(readPlanText(resolve(ctx.cwd, args.file)), args.file, { knownAgents });
  const { plan: _plan, ...rest } = report;
  const lines = report.problems.map((p) => formatPlanProblem(args.file, p));
  const verdict = report.valid
    ? `${args.file}: valid (${report.plan?.tasks.length ?? 0} tasks, ${report.warnings} warnings)`
    : `${args.file}: invalid: ${report.errors} errors, ${report.warnings} warnings`;
  return { structured: { ...rest }, text: [...lines, verdict].join('\n') };
}

/** `plan_show`: tasks, contracts, waves under the limits and the mermaid graph of a valid plan. */
export function planShow(
  ctx: McpContext,
  args: { file: string; maxParallel?: number | undefined; contextBudget?: number | undefined },
): ToolResult {
  const config = loadConfig(ctx.cwd);
  const limits = {
    maxParallel: args.maxParallel ?? config.maxParallel,
    contextBudget: args.contextBudget ?? config.contextBudget,
  };
  const { plan, report } = loadValidPlan(resolve(ctx.cwd, args.file));
  const schedule = planWaves(plan.tasks, limits);
  const mermaid = planToMermaid(plan);
  return {
    structured: {
      goal: plan.goal,
      tasks: plan.tasks.map((t) => ({
        id: t.id,
        title: t.title,
        agent: t.agent,
        owns: [...t.owns],
        dependsOn: [...t.dependsOn],
      })),
      contracts: plan.contracts.map((c) => ({ id: c.id, kind: c.kind, owner: c.owner })),
      limits,
      waves: schedule.waves,
      warnings: report.problems.map((p) => formatPlanProblem(args.file, p)),
      mermaid,
    },
    text: planToText(plan, schedule, limits),
  };
}
