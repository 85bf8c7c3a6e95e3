import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The writing side of the run markers. The collision guard hook (plugin/scripts/guard.cjs) reads
// them on every write tool call of an interactive session, to answer "no run is active" at once.

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
