import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Only node: imports here: the collision guard reads these markers on every write tool call of an
// interactive session, and must answer "no run is active" without opening the hub.

/** Where run markers live, inside a repository's `.orchestra/`. */
export const ACTIVE_DIR = 'active';

/** One marker: a run whose leases may be live, and the process that holds them. */
export interface ActiveRunMarker {
  runId: string;
  pid: number;
  startedAt: string;
}

/** The marker directory of a repository whose hub is in `<orchestraDir>` (the `.orchestra` directory). */
export function activeDir(orchestraDir: string): string {
  return join(orchestraDir, ACTIVE_DIR);
}

/**
 * Mark a run active in `<repoRoot>/.orchestra/active/<run>.json` while this process plays it, so
 * the collision guard knows, without opening the hub, that leases may be live. Returns the release.
 * A marker left by a killed process is ignored once its pid is gone.
 */
export function markRunActive(repoRoot: string, runId: string, pid: number = process.pid): () => void {
  const dir = activeDir(join(repoRoot, '.orchestra'));
  const file = join(dir, `${encodeURIComponent(runId)}.json`);
  try {
    mkdirSync(dir, { recursive: true });
    const marker: ActiveRunMarker = { runId, pid, startedAt: new Date().toISOString() };
    // Written aside, then renamed: the guard never reads half a marker.
    writeFileSync(`${file}.${pid}.tmp`, `${JSON.stringify(marker)}\n`);
    renameSync(`${file}.${pid}.tmp`, file);
  } catch {
    // Without a marker the guard sees no run: the run itself is unaffected (its own hooks enforce ownership).
    return () => undefined;
  }
  return () => rmSync(file, { force: true });
}

/** What the markers say: live runs, or that they cannot be read (which the guard treats as a run). */
export type ActiveRuns = { ok: true; runs: ActiveRunMarker[] } | { ok: false; error: string };

/** The runs marked active whose process is alive. A missing directory means none. */
export function readActiveRuns(
  orchestraDir: string,
  isAlive: (pid: number) => boolean = pidAlive,
): ActiveRuns {
  const dir = activeDir(orchestraDir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, runs: [] };
    return { ok: false, error: `cannot read ${dir}: ${(e as Error).message}` };
  }
  const runs: ActiveRunMarker[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const marker = parseMarker(join(dir, name));
    if (marker === undefined) return { ok: false, error: `cannot read the run marker ${join(dir, name)}` };
    if (isAlive(marker.pid)) runs.push(marker);
  }
  return { ok: true, runs };
}

function parseMarker(file: string): ActiveRunMarker | undefined {
  try {
    // Hand-checked rather than zod: loading zod costs more than this whole hook's budget.
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<ActiveRunMarker>;
    if (typeof v.runId !== 'string' || !Number.isInteger(v.pid) || typeof v.startedAt !== 'string')
      return undefined;
    return { runId: v.runId, pid: v.pid as number, startedAt: v.startedAt };
  } catch {
    return undefined;
  }
}

/** True while a process with this pid exists (EPERM: it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
