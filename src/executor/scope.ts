import { findMatchingGlob } from '../domain/index.js';
import { type ChangedFile, changedFiles } from './worktree-changes.js';

/** A changed path outside the task's ownership. */
export interface ScopeViolation {
  path: string;
  status: string;
}

/** A changed file inside the task's ownership, with the glob that owns it. */
export interface InScopeFile extends ChangedFile {
  glob: string;
}

/** The verdict of the scope check: `ok` when every changed path is owned. */
export interface ScopeResult {
  ok: boolean;
  violations: ScopeViolation[];
  inScope: InScopeFile[];
}

/**
 * Split changes into owned and violating. A rename counts on both sides: moving a file out of, or
 * into, the owned set changes a path the task does not own.
 */
export function classifyScope(changes: readonly ChangedFile[], owns: readonly string[]): ScopeResult {
  const violations: ScopeViolation[] = [];
  const inScope: InScopeFile[] = [];
  for (const c of changes) {
    const sides = c.from !== undefined && c.status === 'R' ? [c.from, c.path] : [c.path];
    const outside = sides.filter((p) => findMatchingGlob(p, owns) === undefined);
    for (const p of outside) violations.push({ path: p, status: c.status });
    const glob = findMatchingGlob(c.path, owns);
    if (outside.length === 0 && glob !== undefined) inScope.push({ ...c, glob });
  }
  return { ok: violations.length === 0, violations, inScope };
}

/**
 * The authoritative scope check after a task: the committed diff of its branch against the base.
 * Tool hooks stop writes through Write/Edit; this also catches what Bash or a script wrote.
 * Commit the task's work first (`commit` of the run's worktrees): uncommitted files are not seen.
 */
export async function checkScope(settings: {
  /** Any directory of the repository. */
  cwd: string;
  base: string;
  branch: string;
  owns: readonly string[];
  env?: NodeJS.ProcessEnv;
}): Promise<ScopeResult> {
  const changes = await changedFiles({
    cwd: settings.cwd,
    base: settings.base,
    ref: `refs/heads/${settings.branch}`,
    ...(settings.env ? { env: settings.env } : {}),
  });
  return classifyScope(changes, settings.owns);
}
