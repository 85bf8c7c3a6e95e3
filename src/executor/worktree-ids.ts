import { join } from 'node:path';
import { UserError } from '../errors.js';

/** The prefix of every branch Orchestra creates. */
export const BRANCH_PREFIX = 'orchestra';

/**
 * Directory, under the checkout root, where earlier versions put worktrees (now they live in the
 * per-user state directory); the sweep still removes what it finds there.
 */
export const LEGACY_WORKTREES_DIR = join('.orchestra', 'worktrees');

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Why `id` cannot name a branch component and a directory, or undefined when it can: letters,
 * digits, ".", "_", "-", at most 100 characters, starting with a letter or digit, no "..", not ending
 * in "." or ".lock" (git refuses those in ref names).
 */
export function unsafeIdReason(id: string): string | undefined {
  if (!SAFE_ID.test(id)) return 'use 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit';
  if (id.includes('..')) return 'it must not contain ".."';
  if (id.endsWith('.') || id.toLowerCase().endsWith('.lock')) return 'it must not end in "." or ".lock"';
  return undefined;
}

/** Throw a UserError unless `id` is safe in a ref and a path. */
export function assertSafeId(kind: 'run' | 'task', id: string): void {
  const reason = unsafeIdReason(id);
  if (reason) throw new UserError(`invalid-${kind}-id`, `invalid ${kind} id "${id}": ${reason}`);
}

/** The branch of a task: `orchestra/<run-id>/<task-id>`. */
export function taskBranch(runId: string, taskId: string): string {
  assertSafeId('run', runId);
  assertSafeId('task', taskId);
  return `${BRANCH_PREFIX}/${runId}/${taskId}`;
}

/** The worktree directory of a task: `<run's worktree dir>/<task-id>`. */
export function taskWorktreePath(runDir: string, taskId: string): string {
  assertSafeId('task', taskId);
  return join(runDir, taskId);
}

/** Where earlier versions put a run's worktrees: `<root>/.orchestra/worktrees/<run-id>`. */
export function legacyRunDir(root: string, runId: string): string {
  assertSafeId('run', runId);
  return join(root, LEGACY_WORKTREES_DIR, runId);
}

/** A fresh run id that sorts by time: `20261125-042200-1a2b3c`. */
export function newRunId(settings: { now?: () => Date; randomHex?: () => string } = {}): string {
  const d = (settings.now ?? (() => new Date()))();
  const stamp = d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const hex = (settings.randomHex ?? (() => Math.random().toString(16).slice(2, 8).padEnd(6, '0')))();
  return `${stamp}-${hex}`;
}
