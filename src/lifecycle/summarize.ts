import type { EventPayload, Handoff, Task, TaskResult } from '../domain/index.js';
import { percent } from './context-monitor.js';
import { collapseDebugging } from './debugging.js';
import { extractExportedDeclarations } from './exported-declarations.js';
import { firstLine, truncate } from './text.js';
import { reconstructToolCalls, type ToolCall } from './tool-calls.js';
import { shortHash, type Verdict } from './verdict.js';

/** Outcome of one success criterion, as the executor or validator ran it. */
export interface CriterionResult {
  description: string;
  passed: boolean;
  output?: string;
}

/** Everything `summarizeAttempt` may use; only `events` and `task` are required. */
export interface SummarizeAttemptInput {
  /** The domain events of one attempt, in order (hub envelopes are fine). */
  events: readonly EventPayload[];
  task: Pick<Task, 'id' | 'title' | 'agent' | 'owns' | 'successCriteria'>;
  /** The monitor's terminating verdict, if the monitor stopped the attempt. */
  verdict?: Verdict;
  /** What the agent returned, if anything (a partial structured result). */
  partialResult?: Partial<TaskResult>;
  /** Results of the task's success criteria, if they were run. */
  criteria?: readonly CriterionResult[];
  /** Final content of a changed file (TypeScript sources give the interfaces they export). */
  readFile?: (path: string) => string | undefined | Promise<string | undefined>;
  /** Context tokens the next attempt may spend (`nextAgentContext.availableContextBudget`). */
  availableContextBudget?: number;
  from?: string;
  to?: string;
  now?: () => Date;
  /** Optional LLM summary layered on the deterministic handoff; off unless given. */
  llmSummary?: (input: { handoff: Handoff; events: readonly EventPayload[] }) => Promise<string | undefined>;
}

/** A changed file and its final content hash (`null` = deleted). */
export interface ChangedFile {
  path: string;
  sha256: string | null;
}

/** The handoff to resume from, with the pieces it was built from. */
export interface AttemptSummary {
  handoff: Handoff;
  /** Short reason code: `context`, `failures`, `loop`, a `task.terminated`/`task.failed` reason, or `unknown`. */
  terminationReason: string;
  terminationDetail: string;
  done: ChangedFile[];
  decisions: string[];
  fixes: string[];
  remaining: string[];
}

/** Most exported declarations a handoff carries: it is a pointer to the code, not a copy. */
const MAX_INTERFACES = 60;

/**
 * Progressive summarization of an attempt into a `Handoff` (the article's Pattern 2 → Pattern 4).
 * Implementation detail is reduced to the interfaces it exports, debugging to its final fixes,
 * exploration (Read, Grep, Glob, read-only shell) is dropped except for decisions; `note`,
 * `usage`, retry and lease events are not carried over. Deterministic for the same input.
 */
export async function summarizeAttempt(input: SummarizeAttemptInput): Promise<AttemptSummary> {
  const { events, task } = input;
  const started = events.findLast((e) => e.type === 'task.started');
  const attempt = started?.type === 'task.started' ? started.attempt : 1;
  const agent = started?.type === 'task.started' ? started.agent : task.agent;
  const termination = terminationOf(input);

  const done = changedFiles(events);
  const decisions = decisionsOf(events);
  const calls = reconstructToolCalls(events);
  const { fixes, unresolved } = collapseDebugging(calls, events);
  const interfaces = [
    ...(await interfacesOf(done, input.readFile)),
    ...(input.partialResult?.contracts ?? []).map((c) => `contract ${c.id}: ${oneLine(c.definition)}`),
  ];

  const remaining = [
    ...criteriaRemaining(task, input.criteria),
    ...unresolved.map((u) => `${u.label} still failing (${u.count}×, last error: ${u.lastError})`),
    ...(done.length === 0 ? ['no file has been changed yet'] : []),
  ];

  const critical = [
    ...done.map((f) =>
      f.sha256 === null ? `Deleted ${f.path}` : `Changed ${f.path} (content ${shortHash(f.sha256)})`,
    ),
    // By id: the decisions are in the hub, and every packet shows them once.
    ...(decisions.length
      ? [`Recorded decisions ${decisionIds(events).join(', ')} (see the architecture)`]
      : []),
    ...fixes,
    ...(input.partialResult?.summary ? [`Agent's summary: ${oneLine(input.partialResult.summary)}`] : []),
    ...(input.partialResult?.notes ?? []).map((n) => `Agent's note: ${oneLine(n)}`),
  ];

  // The detail lives in the limitations; the focus stays short.
  const stopped = termination.reason === 'unknown' ? 'stopped' : `was stopped (${termination.reason})`;
  const focus =
    `Continue task ${task.id} "${task.title}" from attempt ${attempt}, which ${stopped}. ` +
    (remaining.length
      ? `Remaining: ${remaining.join('; ')}.`
      : 'Verify the work against the success criteria and finish.');

  const handoff: Handoff = {
    v: 1,
    from: input.from ?? `${agent} (task ${task.id}, attempt ${attempt})`,
    to: input.to ?? `${agent} (task ${task.id}, attempt ${attempt + 1})`,
    timestamp: (input.now ?? (() => new Date()))().toISOString(),
    artifacts: {
      interfaces,
      implementationNotes: {
        critical,
        optimization: [],
        limitation:
          termination.reason === 'unknown'
            ? []
            : [`Attempt ${attempt} ended: ${termination.reason} — ${termination.detail}`],
      },
      dependencies: dependenciesOf(calls, input.partialResult),
      testRequirements: unique([
        ...task.successCriteria.map((c) =>
          c.command ? `${c.description} (\`${c.command}\`)` : c.description,
        ),
        ...(input.partialResult?.testRequirements ?? []),
      ]),
    },
    nextAgentContext: {
      focus,
      constraints: constraintsOf(task, done, calls, input.verdict),
      ...(input.availableContextBudget !== undefined
        ? { availableContextBudget: input.availableContextBudget }
        : {}),
    },
  };

  if (input.llmSummary) {
    try {
      const text = await input.llmSummary({ handoff, events });
      if (text?.trim()) handoff.artifacts.implementationNotes.critical.push(`Summary: ${oneLine(text)}`);
    } catch (e) {
      // The deterministic handoff stands on its own; the LLM layer is a bonus.
      handoff.artifacts.implementationNotes.limitation.push(
        `LLM summary unavailable: ${firstLine(e instanceof Error ? e.message : String(e))}`,
      );
    }
  }

  return {
    handoff,
    terminationReason: termination.reason,
    terminationDetail: termination.detail,
    done,
    decisions,
    fixes,
    remaining,
  };
}

function terminationOf(input: SummarizeAttemptInput): { reason: string; detail: string } {
  if (input.verdict?.action === 'terminate' && input.verdict.reason) {
    return { reason: input.verdict.reason, detail: input.verdict.detail };
  }
  const last = input.events.findLast((e) => e.type === 'task.terminated' || e.type === 'task.failed');
  if (last?.type === 'task.terminated') return { reason: last.reason, detail: last.detail ?? last.reason };
  if (last?.type === 'task.failed') return { reason: 'failed', detail: last.reason };
  return { reason: 'unknown', detail: 'the attempt ended without a recorded reason' };
}

/** Final content hash per changed path, sorted by path. */
function changedFiles(events: readonly EventPayload[]): ChangedFile[] {
  const last = new Map<string, string | null>();
  for (const e of events) if (e.type === 'file.changed') last.set(e.path, e.sha256);
  return [...last]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, sha256]) => ({ path, sha256 }));
}

/** The ids of the decisions recorded during the attempt, in first-seen order. */
function decisionIds(events: readonly EventPayload[]): string[] {
  return [...new Set(events.flatMap((e) => (e.type === 'decision' ? [e.decisionId] : [])))];
}

/** Decisions by id, the latest wording of each, in first-seen order. */
function decisionsOf(events: readonly EventPayload[]): string[] {
  const byId = new Map<string, string>();
  for (const e of events) if (e.type === 'decision') byId.set(e.decisionId, e.decision);
  return [...byId].map(([id, text]) => `Decision ${id}: ${oneLine(text)}`);
}

const TS_SOURCE = /\.(ts|tsx|mts|cts)$/i;
const TEST_FILE = /\.(test|spec)\.[cm]?tsx?$/i;

async function interfacesOf(
  done: ChangedFile[],
  readFile: SummarizeAttemptInput['readFile'],
): Promise<string[]> {
  if (!readFile) return [];
  const out: string[] = [];
  let omitted = 0;
  for (const f of done) {
    if (f.sha256 === null || !TS_SOURCE.test(f.path) || TEST_FILE.test(f.path)) continue;
    let text: string | undefined;
    try {
      text = await readFile(f.path);
    } catch {
      continue; // an unreadable file contributes no interface; the file list still names it
    }
    if (text === undefined) continue;
    for (const d of await extractExportedDeclarations(f.path, text)) {
      if (out.length < MAX_INTERFACES) out.push(`${f.path}: ${d}`);
      else omitted++;
    }
  }
  if (omitted) out.push(`… ${omitted} more exported declarations (read the files)`);
  return out;
}

function criteriaRemaining(
  task: SummarizeAttemptInput['task'],
  results: SummarizeAttemptInput['criteria'],
): string[] {
  const out: string[] = [];
  for (const c of task.successCriteria) {
    const r = results?.find((x) => x.description === c.description);
    if (r?.passed) continue;
    const cmd = c.command ? ` (\`${c.command}\`)` : '';
    out.push(
      r
        ? `success criterion "${c.description}"${cmd} failing${r.output ? `: ${firstLine(r.output)}` : ''}`
        : `success criterion "${c.description}"${cmd} not yet verified`,
    );
  }
  return out;
}

const INSTALL = /\b(?:npm\s+(?:i|install|add)|pnpm\s+(?:add|i|install)|yarn\s+add|bun\s+add)\s+([^;&|\n]+)/g;

/** Packages the attempt installed successfully, plus those the agent said it needs. */
function dependenciesOf(calls: readonly ToolCall[], result: Partial<TaskResult> | undefined): string[] {
  const deps: string[] = [];
  for (const c of calls) {
    const command = (c.input as { command?: unknown } | undefined)?.command;
    if (c.tool !== 'Bash' || c.failed || typeof command !== 'string') continue;
    for (const m of command.matchAll(INSTALL)) {
      deps.push(...(m[1] ?? '').split(/\s+/).filter((w) => w && !w.startsWith('-')));
    }
  }
  return unique([...deps, ...(result?.dependenciesNeeded ?? [])]).sort();
}

function constraintsOf(
  task: SummarizeAttemptInput['task'],
  done: ChangedFile[],
  calls: readonly ToolCall[],
  verdict: Verdict | undefined,
): string[] {
  const out: string[] = [];
  if (task.owns.length) out.push(`Write only inside: ${task.owns.join(', ')}`);
  if (done.length) out.push('Build on the changes already on the task branch; do not start over.');
  const ev = verdict?.action === 'terminate' ? verdict.evidence : undefined;
  if (ev?.kind === 'circular-modification') {
    out.push(
      `Do not return ${ev.path} to an earlier content: the previous attempt changed it back and forth.`,
    );
  } else if (ev?.kind === 'repeated-tool-call') {
    out.push(
      `Do not call ${ev.tool} again with ${truncate(ev.input, 120)}: it ran ${ev.count} times without progress.`,
    );
  } else if (ev?.kind === 'failures') {
    out.push(
      `The previous attempt failed ${ev.count} times in a row: change approach rather than retrying the same step.`,
    );
  } else if (ev?.kind === 'context') {
    out.push(
      `The previous attempt filled ${percent(ev.ratio)} of its context: read only what you need, in small ranges.`,
    );
  }
  const refused = new Map<string, string>();
  for (const c of calls) {
    if (c.denied) refused.set(c.denied.path ?? c.tool, firstLine(c.denied.reason));
  }
  for (const [what, reason] of refused) out.push(`Writing ${what} was refused: ${reason}`);
  return out;
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
