import { closeSync, fstatSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type CompiledGlob, compileGlob } from '../domain/index.js';
import type { Lease } from './leases.js';

// The collision guard hook runs before every write tool call of an interactive Claude Code session
// and must not load better-sqlite3, zod or picomatch. So the hub publishes its held leases as one
// small JSON file next to itself, rewritten under the hub's write lock at the end of every
// transaction that changed leases or tasks: mirrors are written in commit order across processes.
// The hub stays the source of truth; plugin/scripts/guard.cjs reads this shape (and fails closed
// on any other version).

/** The mirror's shape version; the guard refuses writes during a run on any other. */
export const LEASE_MIRROR_VERSION = 1;

/** The mirror's file name, beside a repository's hub (`.orchestra/leases.json`). */
export const LEASE_MIRROR_FILE = 'leases.json';

/** The lease mirror of a hub file. */
export function leaseMirrorPath(hubFile: string): string {
  return join(dirname(hubFile), LEASE_MIRROR_FILE);
}

/** A lease whose task is still live, as the guard needs it. */
export interface MirroredLease {
  runId: string;
  taskId: string;
  /** The task's title in the run's plan, to name it to the user. */
  title: string | null;
  pattern: string;
  /** The pattern compiled (`compileGlob`), so the guard matches without picomatch. */
  match: CompiledGlob[];
  pid: number;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** What `.orchestra/leases.json` holds. */
export interface LeaseMirror {
  version: typeof LEASE_MIRROR_VERSION;
  /** The hub file's inode: a mirror of another hub file is not this hub's. */
  hubIno: string;
  writtenAt: string;
  /** Leases of tasks not finished (expiry and the holder's process are the guard's to check). */
  leases: MirroredLease[];
  /** Worktrees of live tasks: their own executor enforces ownership there. */
  worktrees: Array<{ runId: string; taskId: string; worktree: string }>;
}

/** What the mirror is built from, read inside the hub's transaction. */
export interface MirrorSource {
  held: Lease[];
  liveWorktrees: Array<{ runId: string; taskId: string; worktree: string }>;
  titleOf: (runId: string, taskId: string) => string | null;
  now: Date;
}

/** The mirror's content for a hub file. */
export function buildLeaseMirror(hubFile: string, src: MirrorSource): LeaseMirror {
  return {
    version: LEASE_MIRROR_VERSION,
    hubIno: hubInode(hubFile),
    writtenAt: src.now.toISOString(),
    leases: src.held.map((l) => ({
      runId: l.runId,
      taskId: l.taskId,
      title: src.titleOf(l.runId, l.taskId),
      pattern: l.pattern,
      match: compileGlob(l.pattern),
      pid: l.pid,
      expiresAt: l.expiresAt,
    })),
    worktrees: src.liveWorktrees,
  };
}

/**
 * Write the mirror atomically (aside, then renamed: the guard never reads half of it). When it
 * cannot be written it is removed, so the guard fails closed rather than trusting an old one;
 * only when neither works does this throw (and the hub's transaction rolls back).
 */
export function writeLeaseMirror(hubFile: string, mirror: LeaseMirror): void {
  const file = leaseMirrorPath(hubFile);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(mirror)}\n`);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    try {
      rmSync(file, { force: true });
    } catch {
      throw e;
    }
  }
}

/** Remove the mirror (the guard then refuses writes while a run is marked active). */
export function dropLeaseMirror(hubFile: string): void {
  rmSync(leaseMirrorPath(hubFile), { force: true });
}

function hubInode(hubFile: string): string {
  const fd = openSync(hubFile, 'r');
  try {
    return fstatSync(fd, { bigint: true }).ino.toString();
  } finally {
    closeSync(fd);
  }
}
