import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { loadAgents } from '../agents/index.js';
import { loadConfig } from '../config/index.js';
import type { AgentDefinition, Plan } from '../domain/index.js';
import { taskHeader, toJsonSchema, type Usage, usageSchema } from '../domain/index.js';
import { UserError } from '../errors.js';
import {
  addUsage,
  createClaudeCodeExecutor,
  type Executor,
  emptyUsage,
  newRunId,
} from '../executor/index.js';
import { git, openRepo } from '../git/index.js';
import {
  estimateCostUsd,
  type Hub,
  hubPath,
  loadProjectMemory,
  openHub,
  renderProjectMemory,
} from '../hub/index.js';
import { constraintsFromRequest, mergeConstraints } from './constraints.js';
import { NOT_ASSIGNABLE_AGENTS, validatePlan } from './plan-validate.js';
import { type PlannerProblem, type PlannerRound, plannerContext, planRequest } from './planner.js';
import { renderSurvey, surveyRepository } from './survey.js';

/** The orchestrator reads; it never writes. Whatever its definition lists, only these remain. */
export const ORCHESTRATOR_TOOLS = ['Read', 'Grep', 'Glob'] as const;

/** What `orchestra plan create` asks for. */
export interface CreatePlanOptions {
  cwd: string;
  request: string;
  /** Also write the plan here (refused if the file exists). */
  out?: string;
  executor?: Executor;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  model?: string;
  /** Repair rounds (default: config planRepairRounds). */
  repairRounds?: number;
  now?: () => Date;
}

/** A stored, valid plan and what planning cost. */
export interface CreatedPlan {
  runId: string;
  plan: Plan;
  /** `.orchestra/runs/<run-id>/plan.yaml`, for review and editing. */
  planPath: string;
  outPath?: string;
  rounds: number;
  warnings: string[];
  usage: Usage;
  costUsd: number;
  /** Tokens of the orchestrator's largest context (its last turn), for the report. */
  contextTokens: number;
}

/** A plan that stayed invalid after the last round: nothing runnable is stored. */
export class PlanRejectedError extends UserError {
  constructor(
    readonly problems: PlannerProblem[],
    readonly rounds: PlannerRound[],
  ) {
    super(
      'plan-rejected',
      `the orchestrator's plan is still invalid after ${rounds.length} round${rounds.length === 1 ? '' : 's'}:\n${problems
        .map((p) => `  [${p.code}] ${p.message}`)
        .join('\n')}\nRephrase the request, or write the plan by hand and run: orchestra plan check <file>`,
    );
  }
}

/**
 * Turn a request into a validated task graph: the orchestrator agent, with read-only tools, is given
 * our survey of the repository and answers with a plan through structured output; invalid plans are
 * sent back with their problems; the valid plan is stored in the hub under a new run (contracts as
 * version 1) and written as YAML.
 */
export async function createPlan(o: CreatePlanOptions): Promise<CreatedPlan> {
  if (!o.request.trim())
    throw new UserError('empty-request', 'say what to build: orchestra plan create "<request>"');
  const outPath = o.out ? resolve(o.cwd, o.out) : undefined;
  if (outPath && existsSync(outPath))
    throw new UserError(
      'out-exists',
      `${o.out} already exists; choose another --out path or remove it first`,
    );
  const repo = await openRepo(o.cwd, o.env ? { env: o.env } : {});
  const config = loadConfig(repo.root);
  const loaded = loadAgents({ cwd: o.cwd, ...(o.homeDir ? { homeDir: o.homeDir } : {}) });
  const orchestrator = loaded.agents.find((a) => a.name === 'orchestrator');
  if (!orchestrator)
    throw new UserError(
      'no-orchestrator',
      'no orchestrator agent found; run orchestra init or restore the built-in templates',
    );
  // The orchestrator and the integration validator conduct the run; they are never offered as assignees.
  const specialists = loaded.agents.filter(
    (a) => !(NOT_ASSIGNABLE_AGENTS as readonly string[]).includes(a.name),
  );
  const hub = openHub({ path: hubPath(repo.root) });
  try {
    const survey = await surveyRepository({
      root: repo.root,
      agents: specialists.map((a) => ({ name: a.name, description: a.description })),
      decisions: await knownDecisions(hub, repo.root, o.env),
    });
    const constraints = mergeConstraints(constraintsFromRequest(o.request), {
      decisions: [],
      constraints: [],
      excludedDependencies: config.excludedDependencies,
    });
    const runId = newRunId(o.now ? { now: o.now } : {});
    const now = o.now ?? (() => new Date());
    const startedAt = now().getTime();
    const executor = o.executor ?? createClaudeCodeExecutor({ ...(o.env ? { env: o.env } : {}) });
    const agent: AgentDefinition = { ...orchestrator, tools: readOnly(orchestrator.tools) };
    const model =
      o.model ?? (orchestrator.model && orchestrator.model !== 'inherit' ? orchestrator.model : config.model);
    const knownAgents = specialists.map((a) => a.name);
    const surveyText = renderSurvey(survey);
    // One system prompt for every round, shared prefix first: role, project memory, how to answer
    // and the survey; the round's header last. The user turn holds the request or the problems.
    const shared = [
      `# Your role: ${orchestrator.name}\n\n${orchestrator.prompt.trim()}`,
      renderProjectMemory(loadProjectMemory({ root: repo.root })),
      plannerContext({ survey: surveyText, knownAgents }),
    ].filter((x) => x.trim().length > 0);
    let usage = emptyUsage();
    let costUsd = 0;
    let contextTokens = 0;
    // The run exists from the first turn so each turn's usage is written as it streams: a planning
    // killed halfway still shows what it spent. Without a plan it is never resumable.
    hub.runs.create({ id: runId, goal: o.request, repo: repo.root, plan: null, status: 'planning' });
    const usageKey = usageKeyOf(runId);
    const planning = planRequest(
      {
        request: o.request,
        survey: surveyText,
        constraints,
        knownAgents,
        repairRounds: o.repairRounds ?? config.planRepairRounds,
      },
      {
        ask: async ({ prompt, round }) => {
          const exec = executor.start(
            {
              runId,
              taskId: `plan-${round}`,
              agent,
              packet: [...shared, taskHeader({ taskId: `plan-${round}`, agent: agent.name, runId })].join(
                '\n\n',
              ),
              prompt,
              cwd: repo.root,
              owns: [],
              model,
              maxTurns: config.executor.maxTurns,
              outputSchema: toJsonSchema('plan'),
            },
            {
              onEvent: (e) => {
                if (e.type !== 'usage') return;
                const u = usageSchema.parse(e.usage);
                const turnModel = e.model ?? model;
                hub.usage.add({
                  ...usageKey(round),
                  model: turnModel,
                  ...u,
                  costUsd: estimateCostUsd(turnModel, u),
                });
                contextTokens = Math.max(
                  contextTokens,
                  u.inputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens,
                );
              },
            },
          );
          const r = await exec.outcome;
          // The binary's own totals replace the streamed estimates when it reported them.
          hub.usage.settleAttempt(
            usageKey(round),
            { model, ...r.usage, costUsd: r.costUsd },
            r.numTurns > 0 || r.costUsd > 0,
          );
          usage = addUsage(usage, r.usage);
          costUsd += r.costUsd;
          if (r.status !== 'succeeded' && r.structuredOutput === undefined) {
            throw new UserError(
              'planner-failed',
              `the orchestrator did not answer with a plan (${r.reason ?? r.status})`,
            );
          }
          return { output: r.structuredOutput, usage: r.usage, costUsd: r.costUsd };
        },
        validate: (plan) =>
          validatePlan(plan, { knownAgents: specialists.map((a) => a.name) }).map((p) => ({
            severity: p.severity,
            code: p.code,
            message: p.path ? `${p.path}: ${p.message}` : p.message,
          })),
      },
    );
    const outcome = await planning.catch((e: unknown) => {
      hub.runs.setStatus(runId, 'failed');
      throw e;
    });
    const record = (status: 'planning' | 'failed', plan: Plan | null) => {
      if (plan) hub.runs.setPlan(runId, plan, { seed: true });
      hub.runs.setStatus(runId, status);
      hub.events.append({
        runId,
        type: 'plan.created',
        rounds: outcome.rounds.length,
        durationMs: Math.max(0, now().getTime() - startedAt),
        ok: plan !== null,
      });
    };
    if (!outcome.ok) {
      record('failed', null); // the cost is accounted; nothing runnable is stored
      throw new PlanRejectedError(outcome.problems, outcome.rounds);
    }
    // Constraints and excluded dependencies live in the plan's architecture, shown once in their
    // own lists; they are not decisions (copying them as such repeated each in every prompt).
    record('planning', outcome.plan);
    const planPath = join(repo.root, '.orchestra', 'runs', runId, 'plan.yaml');
    const yaml = `# Plan of run ${runId}: ${oneLine(o.request)}\n# Review, edit, then: orchestra plan check ${planPath}\n${stringify(outcome.plan)}`;
    await mkdir(dirname(planPath), { recursive: true });
    await writeFile(planPath, yaml);
    if (outPath) {
      await mkdir(dirname(outPath), { recursive: true });
      await writeFile(outPath, yaml, { flag: 'wx' });
    }
    return {
      runId,
      plan: outcome.plan,
      planPath,
      ...(outPath ? { outPath } : {}),
      rounds: outcome.rounds.length,
      warnings: outcome.warnings,
      usage,
      costUsd,
      contextTokens,
    };
  } finally {
    hub.close();
  }
}

/** Each planning round's usage rows: the orchestrator layer, the round as the attempt. */
function usageKeyOf(runId: string) {
  return (round: number) => ({ runId, taskId: null, attempt: round, layer: 'orchestrator' as const });
}

function readOnly(tools: readonly string[] | undefined): string[] {
  const allowed: readonly string[] = ORCHESTRATOR_TOOLS;
  return tools ? tools.filter((t) => allowed.includes(t)) : [...ORCHESTRATOR_TOOLS];
}

/**
 * Decisions of the newest run whose work reached the user's branch (its integration branch is an
 * ancestor of HEAD): what was really decided in this repository. A run that was never merged
 * decided nothing for the next one.
 */
async function knownDecisions(hub: Hub, root: string, env: NodeJS.ProcessEnv | undefined) {
  for (const run of hub.runs.list()) {
    if (run.status !== 'succeeded') continue;
    const list = hub.decisions.list(run.id);
    if (list.length === 0) continue;
    const r = await git(['merge-base', '--is-ancestor', `orchestra/${run.id}/integration`, 'HEAD'], {
      cwd: root,
      allowFailure: true,
      ...(env ? { env } : {}),
    });
    if (r.code === 0)
      return list.map((d) => ({ id: d.id, decision: d.decision, rationale: d.rationale ?? undefined }));
  }
  return [];
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').slice(0, 120);
