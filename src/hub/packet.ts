import type { AgentDefinition, Decision, Handoff, Plan } from '../domain/index.js';
import { taskHeader } from '../domain/index.js';
import { OrchestraError } from '../errors.js';
import type { Hub } from './hub.js';
import { fitSections } from './packet-fit.js';
import { type MemoryFile, renderProjectMemory } from './packet-memory.js';
import {
  type FetchHint,
  type PacketContract,
  type PacketSection,
  packetSections,
} from './packet-sections.js';
import { type PacketWorkspace, preexistingSection, workspaceSection } from './packet-workspace.js';
import { loadTokenizer, type Tokenizer } from './tokens.js';

/** Default packet budget in tokens: a minimal context, far below a full project's. */
export const DEFAULT_PACKET_BUDGET = 8000;

/** The parts of the hub a packet reads. */
export type PacketHub = Pick<Hub, 'decisions' | 'contracts' | 'handoffs' | 'fixes'>;

/** Settings of `buildPacket`. */
export interface PacketSettings {
  plan: Plan;
  taskId: string;
  /** The task's agent definition, or just its prompt body. */
  agent?: AgentDefinition | string;
  /** A hub and run to read decisions, latest contracts, handoffs and open fixes from. */
  hub?: { hub: PacketHub; runId: string };
  /** Token budget of the whole packet text (default DEFAULT_PACKET_BUDGET). */
  budget?: number;
  /** Default: cl100k_base BPE. */
  tokenizer?: Tokenizer;
  /** What the task's worktree already holds (its dependencies' merged work), when known. */
  workspace?: PacketWorkspace;
  /** Checks already failing on the run's base (its base check), shown after the success criteria. */
  preexisting?: readonly string[];
  /** The project's memory (`loadProjectMemory` of the task's worktree), shown once. */
  memory?: readonly MemoryFile[];
  /** The run for the task header when there is no hub (default: the hub's run). */
  runId?: string;
}

/** A section of the packet and whether it made it in. */
export interface PacketSectionInfo {
  name: string;
  tokens: number;
  priority: number;
  included: boolean;
}

/** A section left out for the budget, and how to get it when needed. */
export interface OmittedSection {
  name: string;
  tokens: number;
  fetch: FetchHint;
  /** One line telling the agent where to find it. */
  hint: string;
}

/** A task's context packet. */
export interface ContextPacket {
  taskId: string;
  text: string;
  /** Tokens of `text`, counted with `tokenizer`. */
  tokens: number;
  budget: number;
  tokenizer: string;
  /** True when even the required sections (task, files) exceed the budget. */
  overBudget: boolean;
  sections: PacketSectionInfo[];
  omitted: OmittedSection[];
}

/**
 * The minimal context a specialist starts with, appended as is to Claude Code's system prompt: its
 * role, the project's memory, the run's decisions and constraints, the contracts it provides and
 * consumes (latest hub versions), then the task (header, instructions, files, success criteria,
 * fixes, the handoffs of its dependencies) — fitted to a token budget (see `fitSections`), listing
 * what was left out and how to fetch it. Its `tokens` are those of exactly the text sent.
 */
export async function buildPacket(settings: PacketSettings): Promise<ContextPacket> {
  const { plan, taskId } = settings;
  const task = plan.tasks.find((t) => t.id === taskId);
  if (!task)
    throw new OrchestraError(
      'unknown-task',
      `no task "${taskId}" in the plan; its tasks are: ${plan.tasks.map((t) => t.id).join(', ')}`,
      {
        userError: true,
      },
    );
  const tokenizer = settings.tokenizer ?? (await loadTokenizer());
  const budget = settings.budget ?? DEFAULT_PACKET_BUDGET;
  const fromHub = settings.hub !== undefined;

  const agentName = typeof settings.agent === 'object' ? settings.agent.name : task.agent;
  const header = taskHeader({ taskId, agent: agentName, runId: settings.hub?.runId ?? settings.runId });
  const sections = packetSections({
    plan,
    task,
    agent: settings.agent,
    header,
    memory: renderProjectMemory(settings.memory ?? []),
    ...resolveSources(settings),
  });
  if (settings.workspace) {
    const at = sections.findIndex((x) => x.name === 'ownership') + 1;
    sections.splice(at > 0 ? at : sections.length, 0, workspaceSection(plan, settings.workspace));
  }
  const before = preexistingSection(settings.preexisting ?? []);
  if (before) {
    const at = sections.findIndex((x) => x.name === 'success-criteria') + 1;
    sections.splice(at > 0 ? at : sections.length, 0, before);
  }
  const render = (dropped: ReadonlySet<PacketSection>) => renderPacket(sections, dropped, fromHub, tokenizer);
  const dropped = fitSections(sections, budget, (d) => tokenizer.count(render(d)));
  const text = render(dropped);
  const tokens = tokenizer.count(text);
  return {
    taskId,
    text,
    tokens,
    budget,
    tokenizer: tokenizer.name,
    overBudget: tokens > budget,
    sections: sections.map((s) => ({
      name: s.name,
      tokens: tokenizer.count(s.text),
      priority: s.priority,
      included: !dropped.has(s),
    })),
    omitted: sections
      .filter((s) => dropped.has(s))
      .map((s) => ({
        name: s.name,
        tokens: tokenizer.count(s.text),
        fetch: s.fetch ?? { kind: 'decisions' },
        hint: fetchHint(s.fetch, fromHub),
      })),
  };
}

function resolveSources(settings: PacketSettings) {
  const { plan, taskId } = settings;
  const task = plan.tasks.find((t) => t.id === taskId);
  const contracts = new Map<string, PacketContract>(plan.contracts.map((c) => [c.id, c]));
  const dependencyHandoffs = new Map<string, Handoff>();
  let decisions: Decision[] = [...plan.architecture.decisions];
  let previousAttempt: Handoff | undefined;
  let openFixes: ReturnType<PacketHub['fixes']['list']> = [];
  if (settings.hub && task) {
    const { hub, runId } = settings.hub;
    // Hub decisions revise the plan's of the same id and add those made during the run.
    const byId = new Map(decisions.map((d) => [d.id, d]));
    for (const d of hub.decisions.list(runId)) {
      if (copiesArchitectureList(d.decision, plan)) continue;
      byId.set(d.id, { id: d.id, decision: d.decision, ...(d.rationale ? { rationale: d.rationale } : {}) });
    }
    decisions = [...byId.values()];
    for (const id of [...task.provides, ...task.consumes]) {
      const c = hub.contracts.get(runId, id);
      if (c)
        contracts.set(id, {
          id: c.id,
          kind: c.kind,
          owner: c.owner,
          definition: c.definition,
          version: c.version,
          ...(c.description ? { description: c.description } : {}),
        });
    }
    for (const dep of task.dependsOn) {
      const h = hub.handoffs.latest(runId, dep);
      if (h) dependencyHandoffs.set(dep, h);
    }
    previousAttempt = hub.handoffs.latest(runId, task.id);
    openFixes = hub.fixes.list(runId, { ownerTask: task.id, status: 'open' });
  }
  return { decisions, contracts, dependencyHandoffs, previousAttempt, openFixes };
}

/**
 * A decision row that only copies a constraint or an excluded dependency of the plan (plan create
 * recorded them so before they had their own lists): shown once, in the constraints section.
 */
function copiesArchitectureList(decision: string, plan: Plan): boolean {
  const { constraints, excludedDependencies } = plan.architecture;
  const m = /^(Constraint|Excluded dependency): (.*)$/s.exec(decision);
  if (!m) return false;
  return (m[1] === 'Constraint' ? constraints : excludedDependencies).includes(m[2] ?? '');
}

/** The packet text with `dropped` sections replaced by a list of what was left out. */
function renderPacket(
  sections: readonly PacketSection[],
  dropped: ReadonlySet<PacketSection>,
  fromHub: boolean,
  tokenizer: Tokenizer,
): string {
  const kept = sections.filter((s) => !dropped.has(s)).map((s) => s.text);
  const left = sections.filter((s) => dropped.has(s));
  if (left.length > 0)
    kept.push(
      [
        '## Left out to fit the context budget',
        ...left.map((s) => `- ${s.name} (${tokenizer.count(s.text)} tokens): ${fetchHint(s.fetch, fromHub)}`),
      ].join('\n'),
    );
  return `${kept.join('\n\n')}\n`;
}

function fetchHint(fetch: FetchHint | undefined, fromHub: boolean): string {
  const where = fromHub ? 'ask the context hub for' : 'read in the plan file';
  switch (fetch?.kind) {
    case 'agent':
      return `your agent definition "${fetch.id ?? ''}" (orchestra agents list shows where it is)`;
    case 'memory':
      return 'read CLAUDE.md and the files it imports';
    case 'contract':
      return `${where} contract "${fetch.id}"`;
    case 'handoff':
      return fromHub
        ? `ask the context hub for the handoff of task "${fetch.id}"`
        : `handoff of task "${fetch.id}"`;
    case 'fixes':
      return fromHub ? `ask the context hub for the open fix tasks of "${fetch.id}"` : 'open fix tasks';
    case 'criteria':
      return `${where} the success criteria of task "${fetch.id}"`;
    case 'constraints':
      return `${where} the architecture constraints`;
    default:
      return `${where} the architecture decisions`;
  }
}
