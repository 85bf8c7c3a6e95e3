import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { parseJson, parseWith } from '../domain/index.js';
import { OrchestraError } from '../errors.js';
import { type RepoLockSettings, withRepoLock } from '../git/index.js';

/**
 * What Orchestra created in a repository, so the sweep removes that and nothing else. Kept in the
 * repository's common git directory (shared by every checkout, never committed) rather than in
 * the hub: the sweep must work when the hub is gone or was never created.
 */
export const REGISTRY_FILE = join('orchestra', 'registry.json');

const stampSchema = z.object({ pid: z.number().int(), host: z.string(), start: z.string().optional() });

const runSchema = z.object({
  /** The orchestrating process: when it is gone and the run never finished, the run is dead. */
  owner: stampSchema,
  /** The checkout the run started in (its hub is `<root>/.orchestra/`). */
  root: z.string(),
  /**
   * The directory of the run's worktrees, outside the checkout (absent in registries of versions
   * that kept them under `<root>/.orchestra/worktrees/<run>/`).
   */
  dir: z.string().optional(),
  /** The commit every task branches from: HEAD of that checkout when the run started. */
  base: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
});

const worktreeSchema = z.object({
  runId: z.string(),
  taskId: z.string(),
  path: z.string(),
  branch: z.string(),
  createdAt: z.string(),
});

const branchSchema = z.object({ runId: z.string(), branch: z.string(), createdAt: z.string() });

const registrySchema = z.object({
  version: z.literal(1),
  runs: z.record(z.string(), runSchema),
  worktrees: z.array(worktreeSchema),
  /** Branches without a worktree (an integration branch, or a task branch kept by `clean --keep-branches`). */
  branches: z.array(branchSchema),
});

/** The registry document. */
export type Registry = z.infer<typeof registrySchema>;
/** One run in the registry. */
export type RegistryRun = z.infer<typeof runSchema>;
/** One worktree (and its branch) Orchestra created. */
export type RegistryWorktree = z.infer<typeof worktreeSchema>;
/** One branch Orchestra created that has no worktree. */
export type RegistryBranch = z.infer<typeof branchSchema>;

const EMPTY: Registry = { version: 1, runs: {}, worktrees: [], branches: [] };

/** Absolute path of the registry of the repository with common dir `commonDir`. */
export function registryPath(commonDir: string): string {
  return join(commonDir, REGISTRY_FILE);
}

/** Read the registry (empty when absent). A damaged file is an error naming it: never guessed at. */
export async function readRegistry(commonDir: string): Promise<Registry> {
  const path = registryPath(commonDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return structuredClone(EMPTY);
    throw e;
  }
  const json = parseJson(text);
  const parsed = json.success ? parseWith(registrySchema, json.value) : json;
  if (!parsed.success)
    throw new OrchestraError(
      'registry-damaged',
      `cannot read Orchestra's worktree registry ${path}: ${parsed.error}; fix the file or delete it (Orchestra then forgets, and never removes, the worktrees it lists)`,
    );
  return parsed.value;
}

/**
 * Read, change and write the registry under the repository lock, atomically (write aside, then
 * rename), so concurrent processes never lose each other's entries.
 */
export function updateRegistry<T>(
  commonDir: string,
  change: (registry: Registry) => T,
  lock?: RepoLockSettings,
): Promise<T> {
  return withRepoLock(
    commonDir,
    async () => {
      const registry = await readRegistry(commonDir);
      const out = change(registry);
      const path = registryPath(commonDir);
      await mkdir(dirname(path), { recursive: true });
      const temp = `${path}.${process.pid}.tmp`;
      await writeFile(temp, `${JSON.stringify(registry, null, 2)}\n`);
      await rename(temp, path);
      return out;
    },
    lock,
  );
}
