import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { readActiveRuns } from './active-runs.js';

// Only node: imports at the top: this runs before every write tool call of an interactive session.
// The hub reader (better-sqlite3, picomatch) loads only when a run is marked active.

/** The tools the guard decides on; every other tool call is allowed untouched. */
export const GUARDED_TOOLS: readonly string[] = ['Write', 'Edit', 'MultiEdit', 'NotebookEdit'];

/** The guard's verdict on one tool call. */
export type GuardDecision = { decision: 'allow'; why: string } | { decision: 'deny'; reason: string };

/** What the guard reads from the world; injectable for tests. */
export interface GuardSettings {
  isAlive?: (pid: number) => boolean;
  now?: () => number;
}

/** One live lease that covers the target, with what names it to the user. */
export interface LeaseHit {
  runId: string;
  taskId: string;
  title: string | null;
  pattern: string;
}

/**
 * Decide a PreToolUse call of an interactive Claude Code session: refuse a write to a path held by
 * a live lease of a running Orchestra run in this repository, allow everything else. Fails open
 * only when no run is active; while one is, anything that cannot be read refuses (fails closed).
 */
export async function decideGuard(input: unknown, settings: GuardSettings = {}): Promise<GuardDecision> {
  const rec = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const tool = rec.tool_name;
  if (typeof tool !== 'string' || !GUARDED_TOOLS.includes(tool)) return allow('not a write tool');
  const toolInput = (rec.tool_input ?? {}) as Record<string, unknown>;
  const target = toolInput.file_path ?? toolInput.notebook_path;
  if (typeof target !== 'string' || target === '') return allow('no target path');
  const cwd = typeof rec.cwd === 'string' && rec.cwd !== '' ? rec.cwd : process.cwd();

  const real = realTarget(path.isAbsolute(target) ? target : path.join(cwd, target));
  const checkout = checkoutOf(real);
  if (checkout === undefined) return allow('outside any git repository');
  const orchestraDirs = [path.join(checkout.root, '.orchestra')];
  if (checkout.main !== undefined) orchestraDirs.push(path.join(checkout.main, '.orchestra'));

  for (const dir of orchestraDirs) {
    const active = readActiveRuns(dir, settings.isAlive);
    if (!active.ok) return deny(`an Orchestra run may be active, but ${active.error}`);
    if (active.runs.length === 0) continue;
    const ids = active.runs.map((r) => r.runId).join(', ');
    const relative = toPosix(path.relative(checkout.root, real));
    try {
      const { leaseHits } = await import('./hub-leases.js');
      const found = leaseHits({
        hubFile: path.join(dir, 'hub.db'),
        relativePath: relative,
        checkoutRoot: checkout.root,
        isAlive: settings.isAlive,
        now: settings.now?.() ?? Date.now(),
      });
      if (found.inTaskWorktree) return allow(`inside the worktree of task ${found.inTaskWorktree}`);
      const hit = found.hits[0];
      if (hit !== undefined) return deny(leaseMessage(relative, hit));
    } catch (e) {
      return deny(
        `Orchestra run ${ids} is active in this repository, but its hub ${path.join(dir, 'hub.db')} cannot be read (${(e as Error).message}), so it cannot tell whether ${relative} is leased. Writes are refused until the hub can be read; check it with \`orchestra status\`.`,
      );
    }
    return allow(`no live lease of run ${ids} covers ${relative}`);
  }
  return allow('no Orchestra run is active');
}

/** What the model (and the user) reads when a write is refused. */
export function leaseMessage(relative: string, hit: LeaseHit): string {
  const task = hit.title ? `"${hit.taskId}" (${hit.title})` : `"${hit.taskId}"`;
  return [
    `${relative} is held by task ${task} of the Orchestra run ${hit.runId}, which is running now (lease ${hit.pattern}).`,
    `Editing it here would collide with that task's work. Wait until the task finishes (\`orchestra status ${hit.runId}\`, or the run_status and leases tools) and edit on top of its merged work;`,
    `or, if the change belongs to that task, tell the user, who can give it to the run's owner of ${hit.pattern}. Do not write the file by another tool or path.`,
  ].join(' ');
}

function allow(why: string): GuardDecision {
  return { decision: 'allow', why };
}

function deny(reason: string): GuardDecision {
  return { decision: 'deny', reason };
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** The path with `..` resolved and its nearest existing ancestor's symlinks followed (a new file's too). */
export function realTarget(absolute: string): string {
  let head = path.resolve(absolute);
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(head), ...tail.reverse());
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return path.resolve(absolute);
      tail.push(path.basename(head));
      head = parent;
    }
  }
}

/**
 * The checkout holding a real path: its root (closest ancestor with `.git`) and, for a linked
 * worktree, the main checkout (whose `.orchestra/` holds the runs of the repository).
 */
export function checkoutOf(real: string): { root: string; main?: string } | undefined {
  let dir = path.dirname(real);
  for (;;) {
    const dotGit = path.join(dir, '.git');
    if (existsSync(dotGit)) {
      const main = mainCheckout(dotGit);
      return main === undefined ? { root: dir } : { root: dir, main };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function mainCheckout(dotGit: string): string | undefined {
  try {
    if (!statSync(dotGit).isFile()) return undefined;
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'));
    if (!m?.[1]) return undefined;
    const gitDir = path.resolve(path.dirname(dotGit), m[1]);
    const marker = `${path.sep}.git${path.sep}worktrees${path.sep}`;
    const at = gitDir.lastIndexOf(marker);
    return at > 0 ? gitDir.slice(0, at) : undefined;
  } catch {
    return undefined;
  }
}
