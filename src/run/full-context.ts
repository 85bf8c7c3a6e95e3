import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Plan, Task } from '../domain/index.js';
import { matchesGlob } from '../domain/index.js';
import { OrchestraError } from '../errors.js';
import { git } from '../git/index.js';
import { type Hub, loadTokenizer, type Tokenizer } from '../hub/index.js';

/** The parts of the hub whose state counts as context. */
export type FullContextHub = Pick<Hub, 'decisions' | 'contracts' | 'handoffs' | 'completions'>;

/** Settings of `measureFullContext`. */
export interface FullContextSettings {
  /** A checkout or worktree of the repository (its tracked files are the project). */
  root: string;
  task: Task | string;
  plan: Plan;
  hub: FullContextHub;
  runId: string;
  /** Default: cl100k_base, as packets are counted. */
  tokenizer?: Tokenizer;
  /** Files larger than this are skipped with a note (default 1 MiB). */
  maxFileBytes?: number;
  env?: NodeJS.ProcessEnv;
}

/** The full context a task would need without a packet: the article's "15,000+ tokens". */
export interface FullContext {
  /** Files plus hub state. */
  tokens: number;
  /** Every tracked file the task reads or owns, with its tokens. */
  files: Array<{ path: string; tokens: number }>;
  /** Decisions, contracts, handoffs and completions of the run. */
  hubTokens: number;
  /** Matching files not counted, and why (binary, too large, missing). */
  skipped: Array<{ path: string; reason: string }>;
  tokenizer: string;
}

const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
const BINARY_SNIFF_BYTES = 8000;

/**
 * Measure what a task would read without Orchestra: the text of every tracked file matching its
 * `reads` and `owns` globs, plus all of the run's hub state. The engine records it beside the
 * packet's size (`packet.built.fullContextTokens`), so the report shows the saving as measured.
 */
export async function measureFullContext(s: FullContextSettings): Promise<FullContext> {
  const task = typeof s.task === 'string' ? s.plan.tasks.find((t) => t.id === s.task) : s.task;
  if (!task) throw new OrchestraError('unknown-task', `no task "${String(s.task)}" in the plan`);
  const tokenizer = s.tokenizer ?? (await loadTokenizer());
  const maxBytes = s.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const listed = await git(['ls-files', '-z'], {
    cwd: s.root,
    ...(s.env ? { env: s.env } : {}),
  });
  const globs = [...task.reads, ...task.owns];
  const paths = [...new Set(listed.stdout.split('\0').filter(Boolean))]
    .filter((p) => globs.some((g) => matchesGlob(p, g)))
    .sort();

  const files: FullContext['files'] = [];
  const skipped: FullContext['skipped'] = [];
  for (const path of paths) {
    const text = await readText(join(s.root, path), maxBytes);
    if (typeof text === 'string') files.push({ path, tokens: tokenizer.count(text) });
    else skipped.push({ path, reason: text.skipped });
  }
  const hubTokens = tokenizer.count(hubStateText(s.hub, s.runId, s.plan));
  return {
    tokens: files.reduce((sum, f) => sum + f.tokens, 0) + hubTokens,
    files,
    hubTokens,
    skipped,
    tokenizer: tokenizer.name,
  };
}

async function readText(file: string, maxBytes: number): Promise<string | { skipped: string }> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) return { skipped: 'not a regular file' };
    size = st.size;
  } catch {
    return { skipped: 'missing from the checkout' };
  }
  if (size > maxBytes) return { skipped: `larger than ${maxBytes} bytes (${size})` };
  const handle = await open(file, 'r');
  try {
    const buf = await handle.readFile();
    if (buf.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return { skipped: 'binary' };
    return buf.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** All shared state of a run as an agent would be given it: decisions, contracts, handoffs, completions. */
export function hubStateText(hub: FullContextHub, runId: string, plan: Plan): string {
  const out: string[] = ['# Decisions'];
  for (const d of hub.decisions.list(runId))
    out.push(`- ${d.id}: ${d.decision}${d.rationale ? ` (${d.rationale})` : ''}`);
  out.push('', '# Contracts');
  for (const c of hub.contracts.list(runId)) {
    out.push(`## ${c.id} v${c.version} (${c.kind}, owner ${c.owner})`);
    if (c.description) out.push(c.description);
    out.push(c.definition);
  }
  out.push('', '# Handoffs');
  for (const t of plan.tasks)
    for (const h of hub.handoffs.forTask(runId, t.id)) out.push(JSON.stringify(h.handoff, null, 2));
  out.push('', '# Completions');
  for (const c of hub.completions.list(runId))
    out.push(
      `- ${c.taskId} (attempt ${c.attempt}): ${c.summary}${c.files.length ? `; files: ${c.files.join(', ')}` : ''}`,
    );
  return `${out.join('\n')}\n`;
}
