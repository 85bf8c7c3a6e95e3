import { isAbsolute, relative, sep } from 'node:path';
import {
  createSdkMcpServer,
  type McpSdkServerConfigWithInstance,
  tool,
} from '@anthropic-ai/claude-agent-sdk';
import { z } from 'zod';
import type { AgentDefinition, Plan } from '../domain/index.js';
import { findMatchingGlob } from '../domain/index.js';
import type { Hub } from '../hub/index.js';

/** The MCP server name: its tools reach the model as `mcp__orchestra__<tool>`. */
export const HUB_TOOLS_SERVER = 'orchestra';

/** The tools of the hub server, by their MCP name. */
export const HUB_TOOL_NAMES = [
  'read_contract',
  'list_decisions',
  'read_handoff',
  'list_fixes',
  'record_note',
  'record_decision',
  'request_change',
] as const;
export type HubToolName = (typeof HUB_TOOL_NAMES)[number];

/** The tool-set rule that allows every hub tool in an agent definition's `tools`. */
export const HUB_TOOLS_RULE = `mcp__${HUB_TOOLS_SERVER}__*`;

/** The parts of the hub the tools read and write. */
export type HubToolsHub = Pick<Hub, 'contracts' | 'decisions' | 'events' | 'fixes' | 'handoffs'>;

/** Who is asking: the hub tools are built per task (and per attempt). */
export interface HubToolsSettings {
  hub: HubToolsHub;
  runId: string;
  taskId: string;
  plan: Plan;
  agentName: string;
  /** The task's worktree: absolute paths inside it are read as repository-relative. */
  worktree?: string;
  /** Only these tools (default: all); see `hubToolsAllowed`. */
  only?: readonly HubToolName[];
}

/** What a tool answers the model: text, flagged as an error when the request could not be served. */
export interface HubToolAnswer {
  text: string;
  isError?: boolean;
}

const MAX_TEXT = 4000;
const idSchema = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-"');

/** The input shape of each tool (zod raw shapes, as the SDK's `tool()` takes them). */
export const HUB_TOOL_INPUTS = {
  read_contract: {
    id: idSchema.describe('The contract id, e.g. "ChatMessage"'),
    version: z.number().int().positive().optional().describe('A given version (default: the latest)'),
  },
  list_decisions: {},
  read_handoff: { taskId: idSchema.describe('The task whose latest handoff to read') },
  list_fixes: {},
  record_note: { text: z.string().min(1).max(MAX_TEXT).describe('What other agents should know') },
  record_decision: {
    id: idSchema.describe('A short id for the decision, e.g. "api-error-shape"'),
    decision: z.string().min(1).max(MAX_TEXT),
    rationale: z.string().max(MAX_TEXT).optional(),
  },
  request_change: {
    path: z.string().min(1).max(500).optional().describe('A repository-relative file you may not write'),
    contract: idSchema.optional().describe('A contract id whose owner must change it'),
    description: z.string().min(1).max(MAX_TEXT).describe('What must change, and why'),
  },
} as const;

type Inputs = { [K in HubToolName]: z.output<z.ZodObject<(typeof HUB_TOOL_INPUTS)[K]>> };

/** The task of the plan that owns a repository-relative path, if any. */
export function ownerOfPath(plan: Plan, path: string): string | undefined {
  const p = normalizePath(path);
  return plan.tasks.find((t) => findMatchingGlob(p, t.owns) !== undefined)?.id;
}

/**
 * The handlers behind the hub tools, as plain functions (the MCP server wraps them). They never
 * throw: a request that cannot be served is an `isError` answer the model can act on.
 */
export function hubToolHandlers(s: HubToolsSettings): {
  [K in HubToolName]: (input: Inputs[K]) => HubToolAnswer;
} {
  const { hub, runId, taskId, plan } = s;
  const guard =
    <A>(fn: (a: A) => HubToolAnswer) =>
    (a: A): HubToolAnswer => {
      try {
        return fn(a);
      } catch (e) {
        return { text: `The context hub could not do this: ${(e as Error).message}`, isError: true };
      }
    };

  return {
    read_contract: guard(({ id, version }) => {
      const stored = hub.contracts.get(runId, id, version);
      if (stored)
        return {
          text: renderContract({ ...stored, description: stored.description ?? undefined }, stored.version),
        };
      const planned = plan.contracts.find((c) => c.id === id);
      if (planned && (version === undefined || version === 1)) return { text: renderContract(planned, 1) };
      const known = knownContracts(s);
      return {
        text: `No contract "${id}"${version === undefined ? '' : ` version ${version}`} in this run. Known contracts: ${known.join(', ') || '(none)'}.`,
        isError: true,
      };
    }),

    list_decisions: guard(() => {
      const byId = new Map<string, string>();
      for (const d of plan.architecture.decisions)
        byId.set(d.id, `${d.decision}${d.rationale ? ` (${d.rationale})` : ''}`);
      for (const d of hub.decisions.list(runId))
        byId.set(
          d.id,
          `${d.decision}${d.rationale ? ` (${d.rationale})` : ''}${d.source === 'agent' && d.taskId ? ` [by ${d.taskId}]` : ''}`,
        );
      const { constraints, excludedDependencies } = plan.architecture;
      const lines = ['Architecture decisions (binding):'];
      lines.push(...(byId.size ? [...byId].map(([id, text]) => `- ${id}: ${text}`) : ['(none)']));
      if (constraints.length) lines.push('Constraints:', ...constraints.map((c) => `- ${c}`));
      if (excludedDependencies.length)
        lines.push('Never add these dependencies:', ...excludedDependencies.map((d) => `- ${d}`));
      return { text: lines.join('\n') };
    }),

    read_handoff: guard(({ taskId: of }) => {
      const h = hub.handoffs.latest(runId, of);
      if (!h) return { text: `Task "${of}" has left no handoff (yet).`, isError: true };
      return { text: JSON.stringify(h, null, 2) };
    }),

    list_fixes: guard(() => {
      const fixes = hub.fixes.list(runId, { ownerTask: taskId }).filter((f) => f.status !== 'resolved');
      if (fixes.length === 0) return { text: `No open fix or change request for task ${taskId}.` };
      return {
        text: fixes
          .map((f) =>
            [
              `- #${f.id} (${f.status}${f.source ? `, from ${f.source}` : ''}): ${f.description}`,
              ...(f.contractId ? [`  contract: ${f.contractId}`] : []),
              ...(f.expected ? [`  expected: ${f.expected}`] : []),
              ...(f.actual ? [`  actual: ${f.actual}`] : []),
            ].join('\n'),
          )
          .join('\n'),
      };
    }),

    record_note: guard(({ text }) => {
      hub.events.append({ runId, taskId, type: 'note', text });
      return { text: 'Noted in the context hub.' };
    }),

    record_decision: guard(({ id, decision, rationale }) => {
      const existing = hub.decisions.list(runId).find((d) => d.id === id);
      const planned = plan.architecture.decisions.some((d) => d.id === id);
      // Revising someone else's decision is architecture drift: it goes through its owner instead.
      if (planned || (existing && !(existing.source === 'agent' && existing.taskId === taskId)))
        return {
          text: `Decision "${id}" is already recorded (${existing?.source ?? 'plan'}${existing?.taskId ? `, task ${existing.taskId}` : ''}) and binds this task. Record a new id, or use request_change to ask for a revision.`,
          isError: true,
        };
      hub.decisions.add({ runId, id, decision, rationale: rationale ?? null, taskId, source: 'agent' });
      hub.events.append({ runId, taskId, type: 'decision', decisionId: id, decision });
      return { text: `Decision "${id}" recorded; every later packet of this run carries it.` };
    }),

    request_change: guard(({ path, contract, description }) => {
      if (path === undefined && contract === undefined)
        return { text: 'Name the file (path) or the contract to change.', isError: true };
      const target = path !== undefined ? repoPath(path, s.worktree) : undefined;
      const pathOwner = target === undefined ? undefined : ownerOfPath(plan, target);
      const contractOwner = contract === undefined ? undefined : ownerOfContract(s, contract);
      if (contract !== undefined && contractOwner === undefined && pathOwner === undefined)
        return {
          text: `No contract "${contract}" in this run. Known contracts: ${knownContracts(s).join(', ') || '(none)'}.`,
          isError: true,
        };
      const owner = pathOwner ?? contractOwner;
      const what = target ?? `contract ${contract}`;
      if (owner === undefined)
        return {
          text: `No task of this run owns ${what}. Do not write it; say what you need in your result notes so the orchestrator can assign it.`,
          isError: true,
        };
      if (owner === taskId)
        return {
          text: `You own ${what} yourself (task ${taskId}): make the change directly.`,
          isError: true,
        };
      const full = `Change requested by task ${taskId} (${s.agentName}) for ${what}: ${description}`;
      const duplicate = hub.fixes
        .list(runId, { ownerTask: owner, status: 'open' })
        .find((f) => f.description === full);
      const fix =
        duplicate ??
        hub.fixes.add({
          runId,
          ownerTask: owner,
          description: full,
          contractId: contract ?? null,
          source: `change-request:${taskId}`,
        });
      if (!duplicate)
        hub.events.append({
          runId,
          taskId,
          type: 'change.requested',
          by: taskId,
          owner,
          target: target ?? `contract:${contract}`,
          description,
        });
      return {
        text:
          `${what} is owned by task ${owner}. Your request is recorded as change request #${fix.id} for ${owner}, ` +
          `who will make the change${duplicate ? ' (it was already requested)' : ''}. Do not write ${what} yourself: ` +
          'continue with your own files, and build against the requested change as described.',
      };
    }),
  };
}

/** Descriptions the model reads when choosing a tool. */
const DESCRIPTIONS: Record<HubToolName, string> = {
  read_contract:
    'Read an interface contract of this run from the context hub: its latest version (or a given one) with owner and definition.',
  list_decisions:
    'List the binding architecture decisions, constraints and excluded dependencies of this run.',
  read_handoff:
    'Read the latest handoff envelope another task (usually a dependency) left: interfaces, notes, dependencies, test requirements.',
  list_fixes: 'List the open fix tasks and change requests addressed to your task.',
  record_note: 'Record a note in the context hub for the orchestrator and other agents (no file is written).',
  record_decision:
    'Record a new architecture decision your work makes, so every later agent of this run respects it.',
  request_change:
    'Ask the owner of a file or contract you may not write to change it. The hub routes it to the owning task as a fix task; it does not write anything.',
};

const READ_ONLY: ReadonlySet<HubToolName> = new Set([
  'read_contract',
  'list_decisions',
  'read_handoff',
  'list_fixes',
]);

/** The hub's MCP server for one task: put `{ [name]: config }` into `ExecutionRequest.mcpServers`. */
export interface HubTools {
  name: typeof HUB_TOOLS_SERVER;
  /** An in-process SDK server (holds live handlers: build one per attempt, never serialize it). */
  config: McpSdkServerConfigWithInstance;
}

/**
 * The context hub as tools for one specialist (an in-process MCP server named `orchestra`): read a
 * contract, list decisions, read a dependency's handoff, list its fixes, record a note or a
 * decision, and request a change from the owner of a file or contract. The packet stays small;
 * details are pulled on demand. Nothing here writes a file.
 */
export function createHubTools(s: HubToolsSettings): HubTools {
  const handlers = hubToolHandlers(s);
  const answer = (a: HubToolAnswer) => ({
    content: [{ type: 'text' as const, text: a.text }],
    ...(a.isError ? { isError: true } : {}),
  });
  const def = <K extends HubToolName>(name: K) =>
    tool(
      name,
      DESCRIPTIONS[name],
      HUB_TOOL_INPUTS[name],
      async (args) => answer(handlers[name](args as Inputs[K])),
      { annotations: { readOnlyHint: READ_ONLY.has(name), openWorldHint: false } },
    );
  const config = createSdkMcpServer({
    name: HUB_TOOLS_SERVER,
    version: '1.0.0',
    instructions:
      `The Orchestra context hub of run ${s.runId}, for task ${s.taskId}. Pull contracts, decisions and ` +
      'handoffs here when your context lacks them; to change a file or contract you do not own, use request_change.',
    // Never deferred behind tool search: the packet points the model at these tools by name.
    alwaysLoad: true,
    tools: HUB_TOOL_NAMES.filter((n) => s.only === undefined || s.only.includes(n)).map((n) => def(n)),
  });
  return { name: HUB_TOOLS_SERVER, config };
}

/**
 * The hub tools an agent definition allows: all when it lists no `tools` (Claude Code's default
 * set), else those its `tools` name (`mcp__orchestra`, `mcp__orchestra__*` or one by name), minus
 * its `disallowedTools`. The orchestrator and the validator list none: they get none.
 */
export function hubToolsAllowed(agent: Pick<AgentDefinition, 'tools' | 'disallowedTools'>): HubToolName[] {
  const names = (rule: string): readonly HubToolName[] => {
    const r = rule.trim();
    if (r === `mcp__${HUB_TOOLS_SERVER}` || r === HUB_TOOLS_RULE) return HUB_TOOL_NAMES;
    const prefix = `mcp__${HUB_TOOLS_SERVER}__`;
    const one = HUB_TOOL_NAMES.find((n) => r === `${prefix}${n}`);
    return one ? [one] : [];
  };
  const allowed = agent.tools === undefined ? HUB_TOOL_NAMES : agent.tools.flatMap(names);
  const denied = new Set((agent.disallowedTools ?? []).flatMap(names));
  return HUB_TOOL_NAMES.filter((n) => allowed.includes(n) && !denied.has(n));
}

/**
 * `ExecutionRequest.mcpServers` for one attempt of a task: the hub's server with the tools its
 * agent allows, or nothing. Build it per attempt: the server holds live handlers.
 */
export function hubMcpServers(
  s: Omit<HubToolsSettings, 'agentName' | 'only'> & {
    agent: Pick<AgentDefinition, 'name' | 'tools' | 'disallowedTools'>;
  },
): Record<string, unknown> {
  const only = hubToolsAllowed(s.agent);
  if (only.length === 0) return {};
  const { agent, ...rest } = s;
  const tools = createHubTools({ ...rest, agentName: agent.name, only });
  return { [tools.name]: tools.config };
}

function ownerOfContract(s: HubToolsSettings, id: string): string | undefined {
  const stored = s.hub.contracts.get(s.runId, id);
  if (stored) return stored.owner;
  return (
    s.plan.contracts.find((c) => c.id === id)?.owner ?? s.plan.tasks.find((t) => t.provides.includes(id))?.id
  );
}

function knownContracts(s: HubToolsSettings): string[] {
  const ids = new Set([
    ...s.plan.contracts.map((c) => c.id),
    ...s.hub.contracts.list(s.runId).map((c) => c.id),
  ]);
  return [...ids].sort();
}

function renderContract(
  c: { id: string; kind: string; owner: string; description?: string | undefined; definition: string },
  version: number,
): string {
  return [
    `Contract ${c.id} (${c.kind}, v${version}, owner ${c.owner})`,
    ...(c.description ? [c.description] : []),
    c.definition.trimEnd(),
  ].join('\n');
}

function repoPath(p: string, worktree: string | undefined): string {
  const n = normalizePath(p);
  if (worktree === undefined || !isAbsolute(n)) return n;
  const rel = relative(worktree, n).split(sep).join('/');
  return rel.startsWith('../') || rel === '..' || isAbsolute(rel) ? n : rel;
}

function normalizePath(p: string): string {
  let out = p.trim().replaceAll('\\', '/');
  while (out.startsWith('./')) out = out.slice(2);
  return out;
}
