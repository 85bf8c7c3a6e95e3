import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseJson, parseWith } from '../domain/index.js';
import { OrchestraError } from '../errors.js';
import { isProcessAlive, type ProcessStamp, processStamp } from './process-liveness.js';

/** File name of the cross-process lock, inside the repository's common git directory. */
export const REPO_LOCK_FILE = 'orchestra.lock';

/** How a repository lock waits and decides that a holder is gone. Everything has a real default. */
export interface RepoLockSettings {
  /** Give up after this long waiting for another process (default 120 s). */
  timeoutMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Whether the holder recorded in a lock file still runs (default: pid + start time check). */
  isAlive?: (holder: ProcessStamp) => boolean;
  /** This process (default: the current one). */
  self?: ProcessStamp;
}

const holderSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  start: z.string().optional(),
  nonce: z.string().min(1),
  since: z.string(),
});
type Holder = z.infer<typeof holderSchema>;

const queues = new Map<string, Promise<void>>();
const held = new AsyncLocalStorage<ReadonlySet<string>>();
const heldNonces = new Set<string>();

/**
 * Run `fn` holding the repository's git lock: one holder at a time per repository, within this
 * process (a queue per common dir) and across processes (an O_EXCL lock file holding pid, host,
 * start time). A lock left by a dead process is taken over. Re-entrant: a nested call for the same
 * repository inside `fn` runs at once instead of deadlocking.
 */
export async function withRepoLock<T>(
  commonDir: string,
  fn: () => Promise<T>,
  settings: RepoLockSettings = {},
): Promise<T> {
  const key = resolve(commonDir);
  const outer = held.getStore();
  if (outer?.has(key)) return fn();

  const prev = queues.get(key) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((r) => {
    done = r;
  });
  const tail = prev.then(() => mine);
  queues.set(key, tail);
  await prev;
  try {
    const path = join(key, REPO_LOCK_FILE);
    const nonce = await acquire(path, settings);
    try {
      return await held.run(new Set([...(outer ?? []), key]), fn);
    } finally {
      await release(path, nonce);
    }
  } finally {
    done();
    if (queues.get(key) === tail) queues.delete(key);
  }
}

async function acquire(path: string, s: RepoLockSettings): Promise<string> {
  const now = s.now ?? Date.now;
  const sleep = s.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const isAlive = s.isAlive ?? isProcessAlive;
  const self = s.self ?? processStamp();
  const timeoutMs = s.timeoutMs ?? 120_000;
  const nonce = randomUUID();
  const holder: Holder = { ...self, nonce, since: new Date(now()).toISOString() };
  const deadline = now() + timeoutMs;
  let delay = 5;
  for (;;) {
    if (await tryCreate(path, holder)) {
      heldNonces.add(nonce);
      return nonce;
    }
    const current = await readHolder(path);
    if (current && isStale(current, self, isAlive)) {
      await takeOver(path, current);
      continue;
    }
    if (now() >= deadline)
      throw new OrchestraError(
        'git-lock-timeout',
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the Orchestra git lock ${path}` +
          (current ? ` held by pid ${current.pid} on ${current.host} since ${current.since}` : '') +
          '; if no Orchestra process is running, delete that file',
      );
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
}

/** Create the lock file complete or not at all: write aside, then link (fails if it exists). */
async function tryCreate(path: string, holder: Holder): Promise<boolean> {
  const temp = `${path}.${holder.pid}.${holder.nonce}.tmp`;
  await writeFile(temp, `${JSON.stringify(holder)}\n`);
  try {
    await link(temp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

async function readHolder(path: string): Promise<Holder | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined; // released meanwhile
  }
  const json = parseJson(text);
  const parsed = json.success ? parseWith(holderSchema, json.value) : undefined;
  // Unreadable content is not ours to judge: someone else's file; wait for it like a live holder.
  return parsed?.success ? parsed.value : undefined;
}

function isStale(h: Holder, self: ProcessStamp, isAlive: (p: ProcessStamp) => boolean): boolean {
  // Our own pid with a nonce we don't hold: a previous process that had the same pid.
  if (h.pid === self.pid && h.host === self.host) return !heldNonces.has(h.nonce);
  return !isAlive({ pid: h.pid, host: h.host, start: h.start });
}

/**
 * Remove a dead holder's lock. Rename is atomic, so of several processes taking over only one moves
 * the file; one that moved a fresh lock instead (the stale one was already replaced) puts it back.
 */
async function takeOver(path: string, stale: Holder): Promise<void> {
  const aside = `${path}.stale.${process.pid}.${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const moved = await readHolder(aside);
  if (moved && moved.nonce !== stale.nonce) await link(aside, path).catch(() => {});
  await unlink(aside).catch(() => {});
}

async function release(path: string, nonce: string): Promise<void> {
  heldNonces.delete(nonce);
  const current = await readHolder(path);
  if (current?.nonce === nonce) await unlink(path).catch(() => {});
}
