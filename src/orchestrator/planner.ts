import type { Usage } from '../domain/index.js';
import { type Plan, parseWith, planSchema } from '../domain/index.js';
import { mergeConstraints, type RequestConstraints } from './constraints.js';

/** A problem found in a proposed plan, as the plan validator reports it. */
export interface PlannerProblem {
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

/** One round of planning: what was asked, what came back, what was wrong with it. */
export interface PlannerRound {
  round: number;
  prompt: string;
  output: unknown;
  problems: PlannerProblem[];
  usage?: Usage;
  costUsd?: number;
}

/** What the planner needs from the world: a model to ask and a validator. */
export interface PlannerDeps {
  /** Run the orchestrator agent once with this prompt; it answers with structured output. */
  ask: (input: {
    prompt: string;
    round: number;
  }) => Promise<{ output: unknown; usage?: Usage; costUsd?: number }>;
  /** Validate a schema-valid plan (cycles, ownership overlaps, contracts …). */
  validate: (plan: Plan) => PlannerProblem[];
}

/** Settings of one planning session. */
export interface PlannerSettings {
  request: string;
  /** The repository survey, rendered. */
  survey: string;
  /** Decisions and exclusions from the request and the config; they bind the plan. */
  constraints: RequestConstraints;
  knownAgents: readonly string[];
  /** Repair rounds after the first answer. */
  repairRounds: number;
}

/** The outcome: a valid plan, or the problems of the last round. */
export type PlannerOutcome =
  | { ok: true; plan: Plan; rounds: PlannerRound[]; warnings: string[] }
  | { ok: false; problems: PlannerProblem[]; rounds: PlannerRound[]; warnings: string[] };

/**
 * Ask the orchestrator for a plan, validate it, and send the problems back for repair until the plan
 * is valid or the rounds run out. The request's constraints are merged into every plan.
 */
export async function planRequest(settings: PlannerSettings, deps: PlannerDeps): Promise<PlannerOutcome> {
  const rounds: PlannerRound[] = [];
  let warnings: string[] = [];
  let problems: PlannerProblem[] = [];
  let previous: unknown;
  for (let round = 1; round <= settings.repairRounds + 1; round++) {
    const prompt = round === 1 ? firstPrompt(settings) : repairPrompt(settings, previous, problems);
    const answer = await deps.ask({ prompt, round });
    previous = answer.output;
    const r: PlannerRound = { round, prompt, output: answer.output, problems: [] };
    if (answer.usage) r.usage = answer.usage;
    if (answer.costUsd !== undefined) r.costUsd = answer.costUsd;
    rounds.push(r);
    const parsed = parseWith(planSchema, answer.output);
    if (!parsed.success) {
      problems = parsed.issues.map((i) => ({
        severity: 'error',
        code: 'schema',
        message: `${i.path || '(plan)'}: ${i.message}`,
      }));
    } else {
      const mapped = mapUnknownAgents(parsed.value, settings.knownAgents);
      warnings = mapped.warnings;
      const plan = withConstraints(mapped.plan, settings.constraints);
      problems = deps.validate(plan);
      if (!problems.some((p) => p.severity === 'error')) {
        r.problems = problems;
        return {
          ok: true,
          plan,
          rounds,
          warnings: [...warnings, ...problems.map((p) => `${p.code}: ${p.message}`)],
        };
      }
    }
    r.problems = problems;
  }
  return { ok: false, problems: problems.filter((p) => p.severity === 'error'), rounds, warnings };
}

/** Put the binding constraints into the plan's architecture section. */
export function withConstraints(plan: Plan, c: RequestConstraints): Plan {
  const merged = mergeConstraints(c, {
    decisions: plan.architecture.decisions,
    constraints: plan.architecture.constraints,
    excludedDependencies: plan.architecture.excludedDependencies,
  });
  return { ...plan, architecture: merged };
}

/** Replace agents that do not exist by the closest known one, with a warning; far-off names stay. */
export function mapUnknownAgents(plan: Plan, known: readonly string[]): { plan: Plan; warnings: string[] } {
  if (known.length === 0) return { plan, warnings: [] };
  const warnings: string[] = [];
  const tasks = plan.tasks.map((t) => {
    if (known.includes(t.agent)) return t;
    const best = closest(t.agent, known);
    if (!best) return t;
    warnings.push(`task "${t.id}": unknown agent "${t.agent}" mapped to "${best}"`);
    return { ...t, agent: best };
  });
  return { plan: { ...plan, tasks }, warnings };
}

function closest(name: string, known: readonly string[]): string | undefined {
  const words = (s: string) =>
    new Set(
      s
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((w) => w && w !== 'specialist' && w !== 'agent'),
    );
  const a = words(name);
  let best: { name: string; score: number } | undefined;
  for (const k of known) {
    const b = words(k);
    const shared = [...a].filter(
      (w) => b.has(w) || [...b].some((x) => x.startsWith(w) || w.startsWith(x)),
    ).length;
    const score = shared / Math.max(1, Math.min(a.size, b.size));
    if (score > 0 && (!best || score > best.score)) best = { name: k, score };
  }
  return best && best.score >= 0.5 ? best.name : undefined;
}

function constraintLines(c: RequestConstraints): string[] {
  return [
    ...c.decisions.map((d) => `- Decision [${d.id}]: ${d.decision}`),
    ...c.constraints.map((x) => `- Constraint: ${x}`),
    ...c.excludedDependencies.map((x) => `- Excluded dependency (never add it): ${x}`),
  ];
}

/**
 * What the orchestrator is told once, in its system prompt, for every round of one planning
 * session: how to answer, then the survey of the repository. The request goes in the user turn.
 * The planning rules (atomic tasks, ownership, contracts, criteria) are its role's, said there
 * once; the survey lists the agents it may assign.
 */
export function plannerContext(s: Pick<PlannerSettings, 'survey' | 'knownAgents'>): string {
  return [
    '# How to answer',
    `Answer only by calling the StructuredOutput tool with the whole plan (version 1)${
      s.knownAgents.length ? '; assign each task to one of the agents under "Available agents" below' : ''
    }.`,
    '',
    s.survey.trim(),
  ].join('\n');
}

function firstPrompt(s: PlannerSettings): string {
  const lines = [
    '# Request',
    s.request,
    '',
    '# Binding architecture',
    ...(constraintLines(s.constraints).length ? constraintLines(s.constraints) : ['(none stated)']),
  ];
  return lines.join('\n');
}

function repairPrompt(s: PlannerSettings, previous: unknown, problems: PlannerProblem[]): string {
  return [
    '# Repair the plan',
    `Request: ${s.request}`,
    '',
    'Your previous plan was rejected by the validator. Problems:',
    ...problems.map((p) => `- [${p.code}] ${p.message}`),
    '',
    'Answer again with the StructuredOutput tool: the whole corrected plan, keeping what was right.',
    '',
    '## Previous plan',
    '```json',
    JSON.stringify(previous, null, 2),
    '```',
  ].join('\n');
}
