import { resolve } from 'node:path';
import { z } from 'zod';
import { loadAgents } from '../agents/index.js';
import { loadConfig, type OrchestraConfig } from '../config/index.js';
import type { AgentDefinition, Plan } from '../domain/index.js';
import { parseWith } from '../domain/index.js';
import { UserError } from '../errors.js';
import { newRunId } from '../executor/index.js';
import type { Hub } from '../hub/index.js';
import { createPlan, loadValidPlan, planToText } from '../orchestrator/index.js';
import { planWaves } from '../scheduler/index.js';
import { sandboxedRunner } from '../validator/index.js';
import type { RunOptions } from './engine-types.js';
import { type RunSandbox, resolveRunSandbox } from './sandbox-setup.js';
import { baseForApproval } from './synthesis.js';

/** The settings a run keeps in the hub, so a resume plays by the same rules (parsed with zod). */
export const runSettingsSchema = z.object({
  maxParallel: z.number().int().positive(),
  contextBudget: z.number().int().positive(),
  budgetUsd: z.number().positive().optional(),
  waves: z.enum(['strict', 'dynamic']),
  model: z.string().min(1).optional(),
  fixRounds: z.number().int().nonnegative(),
  merge: z.boolean(),
  baseline: z.literal('single-agent').optional(),
  /** The user passed `--unsandboxed` (kept for `--resume`). */
  unsandboxed: z.boolean().optional(),
});

/** The settings a run keeps in the hub, so a resume plays by the same rules. */
export type RunSettings = z.output<typeof runSettingsSchema>;

/** Stored settings: every key optional (runs of earlier versions stored fewer). */
const storedSettingsSchema = runSettingsSchema.partial();

/** A run ready to dispatch: its id, plan, settings and agents. */
export interface PreparedRun {
  runId: string;
  plan: Plan;
  settings: RunSettings;
  config: OrchestraConfig;
  agents: Map<string, AgentDefinition>;
  resumed: boolean;
  /** How agents and commands are confined (decided before approval; exit 2 when impossible). */
  sandbox: RunSandbox;
}

/**
 * Resolve what to run: resume a stored run, load a plan file, or plan a request with the
 * orchestrator; then show the plan and ask for approval unless `yes`.
 */
export async function prepareRun(o: RunOptions, hub: Hub, root: string): Promise<PreparedRun> {
  const config = loadConfig(root);
  const loaded = loadAgents({ cwd: o.cwd, ...(o.homeDir ? { homeDir: o.homeDir } : {}) });
  const agents = new Map(loaded.agents.map((a) => [a.name, a]));
  const sources = [o.request, o.planFile, o.resumeRunId].filter((x) => x !== undefined).length;
  if (sources !== 1)
    throw new UserError(
      'run-source',
      'give exactly one of: a request ("<request>"), --plan <file>, or --resume <run-id>',
    );
  if (o.rebase && !o.resumeRunId)
    throw new UserError(
      'rebase-without-resume',
      '--rebase moves a stopped run: use it with --resume <run-id>',
    );

  if (o.resumeRunId) {
    const run = hub.runs.get(o.resumeRunId);
    if (!run)
      throw new UserError('unknown-run', `no run "${o.resumeRunId}" in ${root}; orchestra runs lists them`);
    if (!run.plan)
      throw new UserError('run-without-plan', `run "${run.id}" has no plan to resume; start a new run`);
    if (run.status === 'succeeded')
      throw new UserError('run-finished', `run "${run.id}" already succeeded; nothing to resume`);
    const parsed = parseWith(storedSettingsSchema, run.config ?? {});
    if (!parsed.success)
      throw new UserError(
        'run-settings-damaged',
        `the stored settings of run "${run.id}" cannot be read (${parsed.error}); start a new run`,
      );
    // Flags given now win (say, a higher --budget-usd); everything else is what the run started with.
    const settings = settingsFrom(o, config, parsed.value);
    checkAgents(run.plan, agents);
    const sandbox = runSandbox(o, run.plan, agents, config, settings, root);
    return { runId: run.id, plan: run.plan, settings, config, agents, resumed: true, sandbox };
  }

  let runId: string;
  let plan: Plan;
  if (o.planFile) {
    plan = loadValidPlan(resolve(o.cwd, o.planFile), { knownAgents: [...agents.keys()] }).plan;
    runId = newRunId(o.now ? { now: o.now } : {});
    hub.runs.create({ id: runId, goal: plan.goal, repo: root, plan, status: 'planning' });
  } else {
    const created = await createPlan({
      cwd: o.cwd,
      request: o.request as string,
      ...(o.executor ? { executor: o.executor } : {}),
      ...(o.env ? { env: o.env } : {}),
      ...(o.homeDir ? { homeDir: o.homeDir } : {}),
      ...(o.model ? { model: o.model } : {}),
      ...(o.now ? { now: o.now } : {}),
    });
    runId = created.runId;
    plan = created.plan;
  }
  checkAgents(plan, agents);
  const settings = settingsFrom(o, config, {});
  const limits = { maxParallel: settings.maxParallel, contextBudget: settings.contextBudget };
  const sandbox = runSandbox(o, plan, agents, config, settings, root);
  let shown = `${planToText(plan, planWaves(plan.tasks, limits), limits)}\n${sandbox.summary}\n`;
  if (!o.yes) {
    if (!o.approve) {
      throw new UserError(
        'needs-approval',
        `run ${runId} is planned but not started: there is no terminal to ask for approval. Review the plan (orchestra plan show), then start it with --yes: orchestra run --resume ${runId} --yes`,
      );
    }
    shown += await baseForApproval({ root, plan, hub, runId, runner: sandboxedRunner(sandbox.commands) }); // what already fails is known up front
    if (!(await o.approve(plan, shown))) {
      hub.runs.setStatus(runId, 'cancelled');
      throw new UserError('not-approved', `run ${runId} was not approved; nothing was started`);
    }
  }
  return { runId, plan, settings, config, agents, resumed: false, sandbox };
}

function runSandbox(
  o: RunOptions,
  plan: Plan,
  agents: Map<string, AgentDefinition>,
  config: OrchestraConfig,
  settings: RunSettings,
  root: string,
): RunSandbox {
  return resolveRunSandbox({
    plan,
    agents,
    unsandboxed: settings.unsandboxed ?? false,
    network: config.sandbox.network,
    narrowToOwned: config.sandbox.narrowToOwned,
    passThrough: config.env.passThrough,
    readOnly: [root, ...(o.sandboxReadOnly ?? [])],
    ...(o.sandboxDetection ? { detection: o.sandboxDetection } : {}),
  });
}

function settingsFrom(
  o: RunOptions,
  config: OrchestraConfig,
  stored: z.output<typeof storedSettingsSchema>,
): RunSettings {
  const s: RunSettings = {
    maxParallel: o.maxParallel ?? stored.maxParallel ?? config.maxParallel,
    contextBudget: o.contextBudget ?? stored.contextBudget ?? config.contextBudget,
    waves: o.waves ?? stored.waves ?? 'strict',
    fixRounds: stored.fixRounds ?? config.fixRounds,
    merge: o.merge ?? stored.merge ?? false,
  };
  if (o.unsandboxed || stored.unsandboxed) s.unsandboxed = true;
  const budgetUsd = o.budgetUsd ?? stored.budgetUsd;
  if (budgetUsd !== undefined) s.budgetUsd = budgetUsd;
  const model = o.model ?? stored.model;
  if (model !== undefined) s.model = model;
  const baseline = o.baseline ?? stored.baseline;
  if (baseline !== undefined) s.baseline = baseline;
  return s;
}

function checkAgents(plan: Plan, agents: Map<string, AgentDefinition>): void {
  const missing = [...new Set(plan.tasks.map((t) => t.agent).filter((a) => !agents.has(a)))];
  if (missing.length > 0) {
    throw new UserError(
      'unknown-agent',
      `the plan names agents that do not exist here: ${missing.join(', ')}; add them to .claude/agents/ (orchestra agents list shows what exists)`,
    );
  }
}
