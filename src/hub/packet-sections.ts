import type { AgentDefinition, Contract, Decision, Handoff, Plan, Task } from '../domain/index.js';
import { findMatchingGlob } from '../domain/index.js';
import type { FixTask } from './fixes.js';

/** How a left-out section can be fetched later (from the hub, or the plan when there is none). */
export interface FetchHint {
  kind: 'agent' | 'memory' | 'fixes' | 'criteria' | 'contract' | 'handoff' | 'constraints' | 'decisions';
  id?: string;
}

/** One part of a packet, before fitting. Lower priority is dropped first; required is never dropped. */
export interface PacketSection {
  name: string;
  priority: number;
  required: boolean;
  text: string;
  fetch?: FetchHint;
}

/** A contract as the packet shows it: from the hub (with its version) or from the plan. */
export type PacketContract = Contract & { version?: number };

/** What the sections are built from, already resolved against the hub when there is one. */
export interface PacketSources {
  plan: Plan;
  task: Task;
  agent?: AgentDefinition | string | undefined;
  decisions: readonly Decision[];
  contracts: ReadonlyMap<string, PacketContract>;
  /** The latest handoff of each dependency that has one, by task id. */
  dependencyHandoffs: ReadonlyMap<string, Handoff>;
  /** The handoff this task's own earlier attempt left. */
  previousAttempt?: Handoff | undefined;
  openFixes: readonly FixTask[];
  /** The project's memory (CLAUDE.md and its imports), rendered. */
  memory?: string | undefined;
  /** The task header lines (`orchestra-task: …`), opening the per-task part. */
  header?: string | undefined;
}

const list = (items: readonly string[], empty = '(none)') =>
  items.length === 0 ? empty : items.map((i) => `- ${i}`).join('\n');

/**
 * The packet's sections in reading order, arranged for prompt caching: what is the same for every
 * task of the agent first (its role), then what is the same for the run (project instructions,
 * architecture), then the task's contracts, then the task itself (header, instructions, files,
 * criteria, fixes, handoffs). Every fact appears once: the role only here, decisions only in their
 * section, each contract once, a dependency's handoff reduced to what this task consumes.
 */
export function packetSections(s: PacketSources): PacketSection[] {
  const { task, plan } = s;
  const out: PacketSection[] = [];
  if (s.agent !== undefined) {
    const prompt = typeof s.agent === 'string' ? s.agent : s.agent.prompt;
    const who = typeof s.agent === 'string' ? task.agent : s.agent.name;
    if (prompt.trim())
      out.push({
        name: 'agent',
        priority: 90,
        required: false,
        text: `# Your role: ${who}\n\n${prompt.trim()}`,
        fetch: { kind: 'agent', id: who },
      });
  }
  if (s.memory?.trim())
    out.push({
      name: 'project-memory',
      priority: 85,
      required: false,
      text: s.memory.trim(),
      fetch: { kind: 'memory' },
    });
  const { constraints, excludedDependencies } = plan.architecture;
  if (s.decisions.length > 0)
    out.push({
      name: 'decisions',
      priority: 60,
      required: false,
      text: [
        '# Architecture of this run (binding for every task)',
        '',
        '## Decisions',
        list(s.decisions.map((d) => `${d.id}: ${d.decision}${d.rationale ? ` (${d.rationale})` : ''}`)),
      ].join('\n'),
      fetch: { kind: 'decisions' },
    });
  if (constraints.length + excludedDependencies.length > 0)
    out.push({
      name: 'constraints',
      priority: 62,
      required: false,
      text: [
        '## Constraints',
        ...(constraints.length ? [list(constraints)] : []),
        ...(excludedDependencies.length ? ['Never add these dependencies:', list(excludedDependencies)] : []),
      ].join('\n'),
      fetch: { kind: 'constraints' },
    });
  for (const [role, ids, priority] of [
    ['provides', task.provides, 75],
    ['consumes', task.consumes, 70],
  ] as const) {
    for (const [i, id] of ids.entries()) {
      const c = s.contracts.get(id);
      out.push({
        name: `contract:${id} (${role})`,
        priority,
        required: false,
        // The duty is said once per role, in the first contract (the one kept longest when fitting).
        text: c
          ? renderContract(c, role, i === 0 ? ids.length : 0)
          : `## Contract ${id} (you ${role === 'provides' ? 'provide' : 'consume'} it)\n(not defined in the plan or the hub)`,
        fetch: { kind: 'contract', id },
      });
    }
  }
  const depTitles = task.dependsOn.map((d) => {
    const t = plan.tasks.find((x) => x.id === d);
    return t ? `${d} (${t.title})` : d;
  });
  out.push({
    name: 'task',
    priority: 100,
    required: true,
    text: [
      ...(s.header ? [s.header, ''] : []),
      `# Task ${task.id}: ${task.title}`,
      `Part of: ${plan.goal}`,
      ...(depTitles.length ? [`Builds on: ${depTitles.join(', ')}`] : []),
      '',
      '## Instructions',
      task.instructions.trim() || task.title,
    ].join('\n'),
  });
  out.push({
    name: 'ownership',
    priority: 99,
    required: true,
    text: [
      '## Files',
      ...(task.owns.length
        ? ['You own these paths: read them, and write only them:', list(task.owns)]
        : ['You own no paths: this task writes no files.']),
      // What it owns is readable already; listing it again under "read" said nothing new.
      ...readsBesides(task),
      'Every other path belongs to another task: do not write it; ask its owner through the hub.',
    ].join('\n'),
  });
  if (s.openFixes.length > 0)
    out.push({
      name: 'fixes',
      priority: 88,
      required: false,
      text: onceEach([
        '## Fix first (found by the integration validator, or asked by another task)',
        ...s.openFixes.map(renderFix),
      ]),
      fetch: { kind: 'fixes', id: task.id },
    });
  if (task.successCriteria.length > 0)
    out.push({
      name: 'success-criteria',
      priority: 80,
      required: false,
      text: [
        '## Done when',
        list(
          task.successCriteria.map((c) => (c.command ? `${c.description}: \`${c.command}\`` : c.description)),
        ),
      ].join('\n'),
      fetch: { kind: 'criteria', id: task.id },
    });
  // A declaration a contract of this packet already shows is not repeated from a handoff.
  const shownIds = [...task.provides, ...task.consumes].filter((id) => s.contracts.has(id));
  const shown = new Set(shownIds.flatMap((id) => contractNames(s.contracts.get(id)?.definition ?? '')));
  if (s.previousAttempt)
    out.push({
      name: 'previous-attempt',
      priority: 65,
      required: false,
      // A lifecycle handoff names the attempt (`agent#2`); a completion handoff is what the task delivered.
      text: renderHandoff(
        s.previousAttempt.from.includes('#')
          ? '## Where the previous attempt stopped'
          : '## What this task already delivered (its handoff)',
        s.previousAttempt,
        (line) => !repeatsContract(line, shownIds, shown),
      ),
      fetch: { kind: 'handoff', id: task.id },
    });
  for (const [dep, h] of s.dependencyHandoffs)
    out.push({
      name: `handoff:${dep}`,
      priority: 50,
      required: false,
      text: renderDependencyHandoff(dep, h, task, shown),
      fetch: { kind: 'handoff', id: dep },
    });
  return out;
}

/** A contract's section; `dutyFor` > 0 states what to do with the `dutyFor` contracts of its role. */
function renderContract(c: PacketContract, role: 'provides' | 'consumes', dutyFor: number): string {
  const version = c.version === undefined ? '' : `, v${c.version}`;
  const many = dutyFor > 1;
  const duty =
    dutyFor === 0
      ? []
      : role === 'provides'
        ? [
            `Implement ${many ? 'each contract you provide' : 'it'} exactly; a change must be recorded in the hub.`,
          ]
        : [
            many
              ? 'Use each contract you consume as written; ask its owner through the hub for a change.'
              : 'Use it as written; ask its owner through the hub for a change.',
          ];
  const fence = c.kind === 'typescript' ? 'ts' : c.kind === 'json-schema' ? 'json' : '';
  const title =
    role === 'provides'
      ? `## Contract ${c.id}: you provide it (${c.kind}${version})`
      : `## Contract ${c.id}: you consume it from ${c.owner} (${c.kind}${version})`;
  return [
    title,
    ...duty,
    ...(c.description ? [c.description] : []),
    `\`\`\`${fence}`,
    c.definition.trimEnd(),
    '```',
  ].join('\n');
}

function renderHandoff(title: string, h: Handoff, keepInterface: (line: string) => boolean): string {
  const notes = h.artifacts.implementationNotes;
  const lines = [title];
  const add = (label: string, items: readonly string[]) => {
    if (items.length) lines.push(`${label}:`, list(items));
  };
  if (h.nextAgentContext.focus) lines.push(`Focus: ${h.nextAgentContext.focus}`);
  add('Interfaces', h.artifacts.interfaces.filter(keepInterface));
  add('Critical', notes.critical);
  add('Limitations', notes.limitation);
  add('Optimizations', notes.optimization);
  add('Dependencies', h.artifacts.dependencies);
  add('Test requirements', h.artifacts.testRequirements);
  add('Constraints', h.nextAgentContext.constraints);
  return lines.join('\n');
}

/** An interface line of a handoff: `path: declaration`, or `contract id: …`. */
const INTERFACE_LINE = /^(contract\s+(\S+)|[^\s:]+\.[cm]?[jt]sx?):\s/;

/**
 * A dependency's handoff reduced to what this task consumes: what the dependency said about its
 * work for this task, the declarations of files this task may read (a consumed contract is shown
 * once, in its own section), the packages it added, its notes to dependents and the tests it says
 * its work still needs (often ones only a dependent can write).
 */
export function renderDependencyHandoff(
  dep: string,
  h: Handoff,
  task: Task,
  shownNames: ReadonlySet<string> = new Set(),
): string {
  const lines = [`## Handoff from ${dep}`];
  const focus = focusFor(h.nextAgentContext.focus, task.id);
  if (focus) lines.push(focus);
  const readable = (path: string) => findMatchingGlob(path, task.reads) !== undefined;
  const interfaces = h.artifacts.interfaces.filter((line) => {
    const m = INTERFACE_LINE.exec(line);
    if (!m) return false;
    if (m[2] !== undefined) return false; // contracts: in their own section when consumed, else not needed
    if (!readable(m[1] ?? '')) return false;
    const name = DECLARED_NAME.exec(line.slice(m[0].length))?.[1];
    return name === undefined || !shownNames.has(name);
  });
  const add = (label: string, items: readonly string[]) => {
    if (items.length) lines.push(`${label}:`, list(items));
  };
  add('Declarations you may import', interfaces);
  const notes = h.artifacts.implementationNotes;
  add(
    'Notes to dependents',
    notes.critical.filter((n) => !/^(Added|Modified): /.test(n) || readableFacts(n, readable)),
  );
  add('Limitations', notes.limitation);
  add('Tests it still needs', h.artifacts.testRequirements);
  add('Packages it added', h.artifacts.dependencies);
  return lines.join('\n');
}

/** Whether a handoff's interface line repeats a contract the packet shows (by id, or a name it declares). */
function repeatsContract(line: string, ids: readonly string[], names: ReadonlySet<string>): boolean {
  const m = INTERFACE_LINE.exec(line);
  if (!m) return false;
  if (m[2] !== undefined) return ids.includes(m[2]);
  const name = DECLARED_NAME.exec(line.slice(m[0].length))?.[1];
  return name !== undefined && names.has(name);
}

/** The name an exported declaration declares (`export declare function f(…)` → `f`). */
const DECLARED_NAME =
  /^export\s+(?:declare\s+)?(?:default\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|const|let|var|class|interface|type|enum|namespace)\s+([A-Za-z_$][\w$]*)/;

/**
 * The names a contract's definition declares: TypeScript declarations (`function f`, `type T`,
 * `interface I` …) and, in any kind, a line that opens with a signature (`listTitles(): string[]`).
 */
export function contractNames(definition: string): string[] {
  const names = new Set<string>();
  for (const m of definition.matchAll(
    /\b(?:function\*?|const|let|var|class|interface|type|enum|namespace)\s+([A-Za-z_$][\w$]*)/g,
  ))
    if (m[1]) names.add(m[1]);
  for (const m of definition.matchAll(/^\s*([A-Za-z_$][\w$]*)\s*(?:<[^>\n]*>)?\s*\(/gm))
    if (m[1]) names.add(m[1]);
  return [...names];
}

/** The "may also read" lines: the task's reads that are not already among what it owns. */
function readsBesides(task: Task): string[] {
  const more = task.reads.filter(
    (r) => !task.owns.includes(r) && findMatchingGlob(r, task.owns) === undefined,
  );
  return more.length ? ['You may also read:', list(more)] : [];
}

/** Keep a diff fact (`Added: a, b`) only for the paths this task may read. */
function readableFacts(note: string, readable: (p: string) => boolean): boolean {
  const paths = note.replace(/^\w+: /, '').split(', ');
  return paths.some((p) => readable(p.trim()));
}

/**
 * The part of a completion focus (`Task X "…" is done: …. A consumes …; B consumes ….`) about this
 * task: the sentence saying what was done, and its own "consumes" clause.
 */
function focusFor(focus: string, taskId: string): string {
  const clause = / ([\w.-]+) consumes (.+?)(?=; [\w.-]+ consumes |\.$)/g;
  const matches = [...focus.matchAll(clause)];
  if (matches.length === 0) return focus;
  // Handoffs stored before summaries kept their own period end in "..".
  const lead = focus
    .slice(0, matches[0]?.index ?? focus.length)
    .trim()
    .replace(/\.\.$/, '.');
  const mine = matches.filter((m) => m[1] === taskId).map((m) => `For you: ${m[2]}.`);
  return [lead, ...mine].join(' ');
}

function renderFix(f: FixTask): string {
  const parts = [`- ${f.description}`];
  if (f.contractId) parts.push(`  contract: ${f.contractId}`);
  // The validator's description often quotes the compiler message already.
  if (f.expected && !f.description.includes(f.expected)) parts.push(`  expected: ${f.expected}`);
  if (f.actual && !f.description.includes(f.actual)) parts.push(`  actual: ${f.actual}`);
  return parts.join('\n');
}

/**
 * The lines of a section with every long line (40 characters or more) kept once: two fixes found
 * for one cause quote the same compiler message.
 */
function onceEach(blocks: readonly string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of blocks.join('\n').split('\n')) {
    const key = line.trim().replace(/^- /, '');
    if (key.length >= 40) {
      if (seen.has(key)) continue;
      seen.add(key);
    }
    out.push(line);
  }
  return out.join('\n');
}
