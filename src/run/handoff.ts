import { posix } from 'node:path';
import type { Handoff, Plan, Task, TaskResult } from '../domain/index.js';
import { findMatchingGlob, parseJson } from '../domain/index.js';
import { git } from '../git/index.js';
import type { Hub } from '../hub/index.js';
import { extractExportedDeclarations } from '../lifecycle/index.js';

/** A file the task's branch changed against the base (`git diff --name-status`). */
export interface HandoffChange {
  path: string;
  /** A added, M modified, D deleted, R renamed, C copied, T type changed. */
  status: string;
  /** The old path of a rename or copy. */
  from?: string;
}

/** Reads a repository-relative file at some revision; undefined when it does not exist there. */
export type FileReader = (path: string) => string | undefined | Promise<string | undefined>;

/** Everything a completion handoff is built from: the task, its result and its real diff. */
export interface CompletionHandoffInput {
  task: Task;
  plan: Plan;
  agentName: string;
  /** The structured result the specialist returned (undefined when it gave none). */
  result: TaskResult | undefined;
  /** The task branch's changed files against the base. */
  changes: readonly HandoffChange[];
  /** A file's content on the task branch. */
  readFile: FileReader;
  /** A file's content at the base (to tell which packages a package.json change added). */
  readBaseFile?: FileReader;
  /** The tasks that depend on this one (default: from the plan's `dependsOn`). */
  dependents?: readonly string[];
  /** Context tokens the dependents may spend (`nextAgentContext.availableContextBudget`). */
  availableContextBudget?: number;
  now?: () => Date;
}

/** Most exported declarations a handoff carries: it points at the code, it does not copy it. */
const MAX_INTERFACES = 60;
/** Most paths named per diff fact line. */
const MAX_PATHS = 20;
const TS_SOURCE = /\.(ts|tsx|mts|cts)$/i;
const TEST_FILE = /\.(test|spec)\.[cm]?tsx?$/i;
const DEP_SECTIONS = [
  ['dependencies', ''],
  ['devDependencies', ' (dev)'],
  ['peerDependencies', ' (peer)'],
  ['optionalDependencies', ' (optional)'],
] as const;

/** The tasks of the plan that depend on `taskId`, in plan order. */
export function dependentsOf(plan: Plan, taskId: string): string[] {
  return plan.tasks.filter((t) => t.dependsOn.includes(taskId)).map((t) => t.id);
}

/**
 * The handoff envelope (the article's Pattern 4) a completed task leaves for its dependents, built
 * from what it really did: the interfaces its changed TypeScript files export and the contracts its
 * result declares, its notes classified, facts from the diff, the packages it added to any
 * package.json, its test requirements, and what each dependent consumes from it. Deterministic:
 * the same inputs give the same envelope.
 */
export async function buildCompletionHandoff(input: CompletionHandoffInput): Promise<Handoff> {
  const { task, plan, result } = input;
  const changes = [...input.changes].sort((a, b) => compare(a.path, b.path));
  const dependents = input.dependents ? [...input.dependents] : dependentsOf(plan, task.id);
  const notes = classifyNotes(result?.notes ?? []);
  const deps = await addedDependencies(changes, input.readFile, input.readBaseFile);

  const excluded = new Set(plan.architecture.excludedDependencies);
  for (const d of deps.added)
    if (excluded.has(d.name))
      notes.critical.push(`Adds ${d.name}, which the plan excludes: the integration validator will flag it`);
  for (const need of result?.dependenciesNeeded ?? []) {
    if (/\S\s+\S/.test(need.trim())) {
      // A sentence ("A writable node_modules for …"), neither one file nor one package: as written.
      notes.limitation.push(`Needs: ${oneLine(need)}`);
      continue;
    }
    const d = need.trim().replace(/[.,;:]+$/, '');
    if (!d) continue;
    if (looksLikePath(d)) {
      // A file, not a package: name the task that provides it.
      const owner = plan.tasks.find((t) => t.id !== task.id && findMatchingGlob(d, t.owns) !== undefined);
      notes.limitation.push(
        owner
          ? `Needs ${d}, which task ${owner.id} provides (not there yet when this task ran)`
          : `Needs ${d}, which no task of the plan owns`,
      );
    } else if (!deps.added.some((a) => a.name === packageName(d))) {
      const manifestOwner = plan.tasks.find((t) => findMatchingGlob('package.json', t.owns) !== undefined);
      const who =
        manifestOwner === undefined
          ? 'no task owns package.json'
          : manifestOwner.id === task.id
            ? 'this task owns package.json'
            : `task ${manifestOwner.id} owns package.json`;
      notes.limitation.push(`Needs package ${d}, not added by this task (${who})`);
    }
  }
  notes.limitation.push(...deps.problems);
  for (const id of task.provides)
    if (result && !result.contracts.some((c) => c.id === id))
      notes.limitation.push(`Provides contract ${id} per the plan, but its result did not declare it`);

  return {
    v: 1,
    from: `${task.id} (${input.agentName})`,
    to: dependents.length ? dependents.join(', ') : 'dependents',
    timestamp: (input.now ?? (() => new Date()))().toISOString(),
    artifacts: {
      interfaces: [
        ...(await exportedInterfaces(changes, input.readFile)),
        ...(result?.contracts ?? []).map((c) => `contract ${c.id}: ${oneLine(c.definition)}`),
      ],
      implementationNotes: {
        critical: [...diffFacts(changes), ...notes.critical],
        optimization: notes.optimization,
        limitation: notes.limitation,
      },
      dependencies: deps.added.map((d) => d.label),
      testRequirements: unique(result?.testRequirements ?? []),
    },
    nextAgentContext: {
      focus: focusOf(input, changes, dependents),
      // By reference: every packet already holds the decisions and constraints, once.
      constraints: plan.architecture.decisions.length
        ? [
            `Decisions ${plan.architecture.decisions.map((d) => d.id).join(', ')} apply (see the architecture)`,
          ]
        : [],
      ...(input.availableContextBudget === undefined
        ? {}
        : { availableContextBudget: input.availableContextBudget }),
    },
  };
}

/** A note's kind: an explicit `critical:`/`optimization:`/`limitation:` prefix, else by its words. */
export function classifyNote(note: string): {
  kind: 'critical' | 'optimization' | 'limitation';
  text: string;
} {
  const text = oneLine(note);
  const prefixed = /^(critical|optimi[sz]ation|limitation)\s*:\s*(.*)$/i.exec(text);
  if (prefixed) {
    const k = (prefixed[1] ?? '').toLowerCase();
    return {
      kind: k.startsWith('optim') ? 'optimization' : (k as 'critical' | 'limitation'),
      text: prefixed[2] ?? '',
    };
  }
  // Paths and identifiers say nothing about the kind (`src/index.ts` is no optimization).
  const words = text.replace(/`[^`]*`/g, ' ').replace(/\S*[/.]\S*/g, ' ');
  if (BLOCKER.test(words)) return { kind: 'critical', text };
  if (LIMITATION.test(words)) return { kind: 'limitation', text };
  if (OPTIMIZATION.test(words)) return { kind: 'optimization', text };
  // A producer's note to its consumers is binding unless it says otherwise.
  return { kind: 'critical', text };
}

/** A note that something is blocked or must be done by someone else: what dependents must read first. */
const BLOCKER =
  /\b(blocked|blocking|blocker|outside (my|its|this task's) ownership|not (in|within) (my|its) ownership|must|requires?|breaking|do not|don't|never)\b/i;
const LIMITATION =
  /\b(limit(s|ed|ation)?|max(imum)?|at most|not (yet )?(implemented|supported|handled)|unsupported|todo|fixme|workaround|known issue|cannot|can't|does not|doesn't|only supports?|stub(bed)?|placeholder)\b/i;
const OPTIMIZATION =
  /\b(optimi[sz](e|ed|es|ation)|cach(e|ed|es|ing)|batch(ed|es|ing)?|memoi[sz]|faster|latency|throughput|performance|debounc|throttl|lazy|index(ed|es)?)\b/i;

function classifyNotes(notes: readonly string[]): Handoff['artifacts']['implementationNotes'] {
  const out: Handoff['artifacts']['implementationNotes'] = { critical: [], optimization: [], limitation: [] };
  for (const n of notes) {
    const c = classifyNote(n);
    if (c.text && !out[c.kind].includes(c.text)) out[c.kind].push(c.text);
  }
  return out;
}

/** Facts from the diff dependents must know: what appeared, moved or disappeared. */
function diffFacts(changes: readonly HandoffChange[]): string[] {
  const names = (xs: string[]) =>
    xs.length <= MAX_PATHS
      ? xs.join(', ')
      : `${xs.slice(0, MAX_PATHS).join(', ')} … ${xs.length - MAX_PATHS} more`;
  const by = (s: string) => changes.filter((c) => c.status.startsWith(s));
  const out: string[] = [];
  const added = [...by('A'), ...by('C')].map((c) => c.path);
  const modified = [...by('M'), ...by('T')].map((c) => c.path);
  const renamed = by('R').map((c) => `${c.from ?? '?'} → ${c.path}`);
  const deleted = by('D').map((c) => c.path);
  if (deleted.length) out.push(`Deleted: ${names(deleted)} (do not import them)`);
  if (renamed.length) out.push(`Renamed: ${names(renamed)} (import the new paths)`);
  if (added.length) out.push(`Added: ${names(added)}`);
  if (modified.length) out.push(`Modified: ${names(modified)}`);
  return out;
}

async function exportedInterfaces(
  changes: readonly HandoffChange[],
  readFile: FileReader,
): Promise<string[]> {
  const out: string[] = [];
  let omitted = 0;
  for (const c of changes) {
    if (
      c.status.startsWith('D') ||
      !TS_SOURCE.test(c.path) ||
      TEST_FILE.test(c.path) ||
      c.path.endsWith('.d.ts')
    )
      if (!c.path.endsWith('.d.ts') || c.status.startsWith('D')) continue;
    const text = await readSafely(readFile, c.path);
    if (text === undefined) continue;
    for (const d of await extractExportedDeclarations(c.path, text)) {
      if (out.length < MAX_INTERFACES) out.push(`${c.path}: ${d}`);
      else omitted++;
    }
  }
  if (omitted) out.push(`… ${omitted} more exported declarations (read the files)`);
  return out;
}

interface AddedDependency {
  name: string;
  label: string;
}

/** Packages each changed package.json gained (or changed the range of) against the base. */
async function addedDependencies(
  changes: readonly HandoffChange[],
  readFile: FileReader,
  readBaseFile: FileReader | undefined,
): Promise<{ added: AddedDependency[]; problems: string[] }> {
  const added: AddedDependency[] = [];
  const problems: string[] = [];
  for (const c of changes) {
    if (posix.basename(c.path) !== 'package.json' || c.status.startsWith('D')) continue;
    const branch = manifestOf(await readSafely(readFile, c.path));
    if (branch === 'invalid') {
      problems.push(`${c.path} is not valid JSON on the task branch`);
      continue;
    }
    if (branch === undefined) continue;
    const basePath = c.from ?? c.path;
    let base: Manifest | undefined | 'invalid';
    if (c.status.startsWith('A')) base = undefined;
    else if (!readBaseFile) {
      problems.push(`${c.path} changed, but its dependencies were not compared with the base`);
      continue;
    } else base = manifestOf(await readSafely(readBaseFile, basePath));
    const where = posix.dirname(c.path) === '.' ? '' : `${posix.dirname(c.path)}: `;
    for (const [section, suffix] of DEP_SECTIONS) {
      const now = branch[section] ?? {};
      const before = base === undefined || base === 'invalid' ? {} : (base[section] ?? {});
      for (const name of Object.keys(now).sort(compare)) {
        const range = now[name];
        const was = before[name];
        if (range === was) continue;
        const change = was === undefined ? '' : ` (was ${was})`;
        added.push({ name, label: `${where}${name}@${range}${suffix}${change}` });
      }
    }
  }
  return { added, problems };
}

type Manifest = Partial<Record<(typeof DEP_SECTIONS)[number][0], Record<string, string>>>;

function manifestOf(text: string | undefined): Manifest | undefined | 'invalid' {
  if (text === undefined) return undefined;
  const parsed = parseJson(text);
  if (!parsed.success || typeof parsed.value !== 'object' || parsed.value === null) return 'invalid';
  const raw = parsed.value as Record<string, unknown>;
  const out: Manifest = {};
  for (const [section] of DEP_SECTIONS) {
    const v = raw[section];
    if (typeof v !== 'object' || v === null) continue;
    const deps: Record<string, string> = {};
    for (const [k, r] of Object.entries(v)) if (typeof r === 'string') deps[k] = r;
    out[section] = deps;
  }
  return out;
}

/** What the dependents consume from the task: its contracts and the changed files they read. */
function focusOf(
  input: CompletionHandoffInput,
  changes: readonly HandoffChange[],
  dependents: string[],
): string {
  const { task, plan, result } = input;
  const head = `Task ${task.id} "${task.title}" is done${result?.summary ? `: ${sentence(result.summary)}` : '.'}`;
  const uses: string[] = [];
  const present = changes.filter((c) => !c.status.startsWith('D')).map((c) => c.path);
  for (const id of dependents) {
    const d = plan.tasks.find((t) => t.id === id);
    if (!d) continue;
    const contracts = d.consumes.filter((c) => task.provides.includes(c));
    const files = present.filter((p) => findMatchingGlob(p, d.reads) !== undefined);
    const parts = [
      ...(contracts.length ? [`contracts ${contracts.join(', ')}`] : []),
      ...(files.length ? [`files ${files.slice(0, MAX_PATHS).join(', ')}`] : []),
    ];
    if (parts.length) uses.push(`${id} consumes ${parts.join(' and ')}`);
  }
  if (uses.length) return `${head} ${uses.join('; ')}.`;
  const provided = task.provides.length ? ` Build on its contracts ${task.provides.join(', ')}.` : '';
  return `${head}${provided}`;
}

async function readSafely(read: FileReader, path: string): Promise<string | undefined> {
  try {
    return await read(path);
  } catch {
    return undefined; // an unreadable file contributes nothing; the diff facts still name it
  }
}

/** `src/rules/foo.ts`, `./x.js`: a file; `lodash`, `@scope/pkg@1`: a package. */
function looksLikePath(spec: string): boolean {
  const s = spec.trim();
  if (s.startsWith('./') || s.startsWith('../') || s.startsWith('/')) return true;
  if (/^@[\w.-]+\/[\w.-]+(@.*)?$/.test(s)) return false;
  return s.includes('/') || /\.[cm]?[jt]sx?$|\.(json|md|css|html|ya?ml)$/.test(s);
}

function packageName(spec: string): string {
  const s = spec.trim();
  const at = s.indexOf('@', s.startsWith('@') ? 1 : 0);
  return at > 0 ? s.slice(0, at) : s;
}

/** One line ending in exactly one full stop (a summary's own period is not doubled). */
function sentence(text: string): string {
  const line = oneLine(text);
  return /[.!?]$/.test(line) ? line : `${line}.`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs.map(oneLine).filter((x) => x.length > 0))];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A reader of files at a git revision (`git show <ref>:<path>`), for `readFile`/`readBaseFile`. */
export function gitFileReader(settings: { cwd: string; ref: string; env?: NodeJS.ProcessEnv }): FileReader {
  return async (path) => {
    const r = await git(['show', `${settings.ref}:${path}`], {
      cwd: settings.cwd,
      allowFailure: true,
      ...(settings.env ? { env: settings.env } : {}),
    });
    return r.code === 0 ? r.stdout : undefined;
  };
}

/** Store a completion handoff in the hub with its `handoff` event (what the engine does on completion). */
export function storeCompletionHandoff(
  hub: Pick<Hub, 'handoffs' | 'events'>,
  runId: string,
  taskId: string,
  handoff: Handoff,
): void {
  // A fix attempt adds to what the task first delivered: dependents still learn what it does.
  const first = hub.handoffs.forTask(runId, taskId).find((r) => !r.handoff.from.includes('#'));
  const stored = first ? mergeFixHandoff(first.handoff, handoff) : handoff;
  hub.handoffs.put(runId, taskId, stored);
  hub.events.append({ runId, taskId, type: 'handoff', from: stored.from, to: stored.to });
}

const DIFF_FACT = /^(Deleted|Renamed|Added|Modified): /;

/**
 * The handoff after a fix round: the first delivery's summary and notes, then what the fix
 * changed. Interfaces, diff facts and dependencies come from the fix (its diff is the whole branch
 * against the base); notes and test requirements are the union, each once.
 */
export function mergeFixHandoff(first: Handoff, fix: Handoff): Handoff {
  const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];
  const notes = (k: 'critical' | 'optimization' | 'limitation') =>
    union(
      first.artifacts.implementationNotes[k].filter((n) => !DIFF_FACT.test(n)),
      fix.artifacts.implementationNotes[k],
    );
  const fixSummary = /is done: (.*?)(?:\.| [\w.-]+ consumes |$)/.exec(fix.nextAgentContext.focus)?.[1];
  const focus =
    fixSummary && !first.nextAgentContext.focus.includes(fixSummary)
      ? `${first.nextAgentContext.focus} Then fixed: ${fixSummary}.`
      : first.nextAgentContext.focus;
  return {
    ...fix,
    artifacts: {
      ...fix.artifacts,
      implementationNotes: {
        critical: [
          ...fix.artifacts.implementationNotes.critical.filter((n) => DIFF_FACT.test(n)),
          ...notes('critical').filter((n) => !DIFF_FACT.test(n)),
        ],
        optimization: notes('optimization'),
        limitation: notes('limitation'),
      },
      testRequirements: union(first.artifacts.testRequirements, fix.artifacts.testRequirements),
    },
    nextAgentContext: { ...fix.nextAgentContext, focus },
  };
}
