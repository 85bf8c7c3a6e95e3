import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { findMatchingGlob } from '../domain/index.js';

/** Tools that write files: each call is checked against the task's ownership. */
export const WRITE_TOOLS = ['Write', 'Edit', 'MultiEdit', 'NotebookEdit'] as const;
/** Tools a specialist may never call: nested agents escape the in-process ownership checks. */
export const NESTED_AGENT_TOOLS = ['Agent', 'Task'] as const;

/** What a task may write. */
export interface OwnershipPolicy {
  /** The task's worktree (absolute). */
  worktree: string;
  /** Globs (worktree-relative POSIX, src/domain/globs.ts syntax) the task owns. */
  owns: readonly string[];
  /** Who owns a worktree-relative path, if another task does: named in deny messages. */
  ownerOf?: (relativePath: string) => string | undefined;
  /** The deciding task, named in deny messages. */
  taskId?: string;
  /**
   * The agent's tool set. A call to any other tool is refused here too, not only left out of the
   * tool list (defence in depth: the orchestrator's "never writes code" must not rest on one layer).
   * `StructuredOutput` and MCP tools (`mcp__…`, only servers Orchestra configures) are always allowed.
   */
  tools?: readonly string[];
}

/** The verdict on one tool call. `pass`: not a write, ownership has nothing to say. */
export type OwnershipDecision =
  | { behavior: 'allow'; path: string }
  | { behavior: 'deny'; reason: string; path?: string }
  | { behavior: 'pass' };

/** The file a write tool targets (`file_path`, or `notebook_path` for NotebookEdit). */
export function targetPathOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const rec = input as Record<string, unknown>;
  const p = rec.file_path ?? rec.notebook_path ?? rec.path;
  return typeof p === 'string' && p.length > 0 ? p : undefined;
}

/** Where a path really lands: absolute, symlinks followed as the kernel would. */
export interface ResolvedTarget {
  /** Real absolute path (for a new file: its nearest existing ancestor resolved, the rest appended). */
  real: string;
  /** POSIX path relative to the real worktree, or undefined when outside it. */
  relative: string | undefined;
}

function exists(p: string): 'link' | 'other' | undefined {
  try {
    return lstatSync(p).isSymbolicLink() ? 'link' : 'other';
  } catch {
    return undefined;
  }
}

/** Follow the path one component at a time, as the kernel does (`link/..` is the link target's parent). */
function walk(absolute: string): string {
  const parts = absolute.split(path.sep).filter((s) => s.length > 0);
  let current = path.parse(absolute).root;
  let missing = false;
  for (const seg of parts) {
    if (seg === '.') continue;
    if (seg === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, seg);
    if (missing) {
      current = next;
      continue;
    }
    const kind = exists(next);
    if (kind === 'link') {
      try {
        current = realpathSync(next);
      } catch {
        // A dangling link: writing through it creates its target, which we cannot see; stop here.
        throw new Error(`dangling symbolic link ${next}`);
      }
    } else {
      if (kind === undefined) missing = true;
      current = next;
    }
  }
  return current;
}

/** Lexically normalised path with its nearest existing ancestor resolved by realpath. */
function lexical(absolute: string): string {
  const normal = path.resolve(absolute);
  let head = normal;
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(head), ...tail.reverse());
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return normal;
      tail.push(path.basename(head));
      head = parent;
    }
  }
}

function relativeTo(root: string, real: string): string | undefined {
  const rel = path.relative(root, real);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

/**
 * Resolve where a write to `filePath` (relative to `cwd`) lands. Both readings of the path are
 * resolved, the lexical one (`a/link/..` = `a`) and the kernel's (`a/link/..` = the link target's
 * parent); when they disagree the target counts as outside, so either reading must be owned.
 */
export function resolveTarget(worktree: string, filePath: string, cwd = worktree): ResolvedTarget {
  const root = realpathSync(worktree);
  // Concatenate without normalising: `link/..` must reach walk() intact.
  const absolute = path.isAbsolute(filePath) ? filePath : `${cwd}${path.sep}${filePath}`;
  const byLexical = lexical(absolute);
  const byKernel = walk(absolute);
  const a = relativeTo(root, byLexical);
  const b = relativeTo(root, byKernel);
  return { real: byKernel, relative: a !== undefined && a === b ? a : undefined };
}

/** How a denied specialist asks for a change it may not make itself. */
const HOW_TO_ASK =
  'Do not try another path or tool to write it. If your task needs this change, say so in your result ' +
  '(notes / dependenciesNeeded) so the orchestrator can route it to the owner through the hub.';

/** Decide a write to a file, given the policy. Never throws: any failure denies (fail closed). */
export function decideWrite(policy: OwnershipPolicy, filePath: string, cwd?: string): OwnershipDecision {
  let target: ResolvedTarget;
  try {
    target = resolveTarget(policy.worktree, filePath, cwd ?? policy.worktree);
  } catch (e) {
    return {
      behavior: 'deny',
      path: filePath,
      reason: `Cannot check ownership of ${filePath} (${e instanceof Error ? e.message : String(e)}); writes there are refused.`,
    };
  }
  const who = policy.taskId ? `task ${policy.taskId}` : 'this task';
  if (target.relative === undefined) {
    return {
      behavior: 'deny',
      path: target.real,
      reason: `${filePath} resolves to ${target.real}, outside ${who}'s worktree ${policy.worktree}. Only files inside the worktree and matching ${formatOwns(policy.owns)} may be written. ${HOW_TO_ASK}`,
    };
  }
  if (target.relative === '.git' || target.relative.startsWith('.git/')) {
    return {
      behavior: 'deny',
      path: target.relative,
      reason: `${target.relative} is git's own data: never written by a task.`,
    };
  }
  if (findMatchingGlob(target.relative, policy.owns) !== undefined) {
    return { behavior: 'allow', path: target.relative };
  }
  let owner: string | undefined;
  try {
    owner = policy.ownerOf?.(target.relative);
  } catch {
    owner = undefined;
  }
  const ownedBy = owner ? `It is owned by task ${owner}.` : 'No task of this run owns it.';
  return {
    behavior: 'deny',
    path: target.relative,
    reason: `${target.relative} is not in ${who}'s ownership (${formatOwns(policy.owns)}). ${ownedBy} ${HOW_TO_ASK}`,
  };
}

function formatOwns(owns: readonly string[]): string {
  return owns.length === 0 ? 'no paths' : owns.join(', ');
}

function isAlwaysAllowed(tool: string): boolean {
  return tool === 'StructuredOutput' || tool.startsWith('mcp__');
}

/** Decide any tool call: nested agents and tools outside the agent's set denied, writes by ownership, the rest passes. */
export function decideToolUse(
  policy: OwnershipPolicy,
  toolName: string,
  input: unknown,
  cwd?: string,
): OwnershipDecision {
  try {
    if ((NESTED_AGENT_TOOLS as readonly string[]).includes(toolName)) {
      return { behavior: 'deny', reason: `${toolName} is disabled for specialists: do the work yourself.` };
    }
    if (policy.tools && !isAlwaysAllowed(toolName) && !policy.tools.includes(toolName)) {
      return {
        behavior: 'deny',
        reason: `${toolName} is not one of this agent's tools (${policy.tools.join(', ') || 'none'}); the call is refused.`,
      };
    }
    if (!(WRITE_TOOLS as readonly string[]).includes(toolName)) return { behavior: 'pass' };
    const target = targetPathOf(input);
    if (target === undefined) return { behavior: 'deny', reason: `${toolName} call without a file path.` };
    return decideWrite(policy, target, cwd);
  } catch (e) {
    return { behavior: 'deny', reason: `Ownership check failed (${String(e)}); the write is refused.` };
  }
}
