import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PackagesMode } from '../config/index.js';
import type { Plan, Task } from '../domain/index.js';
import { UserError } from '../errors.js';
import { git, openRepo } from '../git/index.js';
import { type BaseCheck, checkBaseTree, criterionLine, preexistingFindings } from './base-check.js';
import { checkContracts } from './contract-check.js';
import {
  type CommandRunner,
  type CriteriaCache,
  type CriterionRun,
  criterionFailed,
  criterionFindings,
  failureSignature,
  routeCriterion,
  runCriteriaOnce,
} from './criteria.js';
import { addedDependencies, dependencyFindings } from './dependency-drift.js';
import { conflictFinding, fixTasksFor } from './fix-tasks.js';
import { changedFiles, integrationBranch, openIntegrationTree, precheckMerges } from './merge-train.js';
import { dependencyOrder, ownerOf } from './ownership.js';
import { raceFindings } from './race-check.js';
import { createProjectTypeChecker, newDiagnostics, typeErrorFindings } from './type-check.js';
import type { Conflict, Finding, FindingKind, FixTaskSink, MergeStep, ValidationReport } from './types.js';

/** A task's branch to validate: the plan's task id and any git ref. */
export interface TaskBranch {
  taskId: string;
  ref: string;
  /**
   * The commit the branch started from when it is not the base (a dependent starts from its
   * dependencies' merged work): the task's own changes are `start..ref`.
   */
  start?: string;
}

/** Settings of one validation. Everything that touches the world can be replaced. */
export interface ValidateSettings {
  /** Any directory inside the repository. */
  cwd: string;
  plan: Plan;
  branches: readonly TaskBranch[];
  /** The commit the integration starts from (default: HEAD). */
  base?: string;
  /** Names the integration branch `orchestra/<runId>/integration` (default: a fresh id). */
  runId?: string;
  /** Check in a temporary checkout without writing the integration branch. */
  noMerge?: boolean;
  /** Added to the plan's `architecture.excludedDependencies` (from the project configuration). */
  excludedDependencies?: readonly string[];
  runner?: CommandRunner;
  /** Receives conflicts and fix tasks (the hub, for runs). */
  sink?: FixTaskSink;
  /** Progress lines (stderr in the CLI). */
  onProgress?: (line: string) => void;
  randomId?: () => string;
  /** What already fails on the base (checked before the first wave); checked here when absent. */
  baseCheck?: BaseCheck;
  /** Only these tasks' criteria run (a wave's newly merged tasks); default: every merged task's. */
  criteriaOf?: readonly string[];
  /** Criterion results by tree and command, shared across validations of a run. */
  criteriaCache?: CriteriaCache;
  /** Said before anything runs, and kept in the report (e.g. ownership overlaps of existing branches). */
  warnings?: readonly string[];
  /** How the checkout's packages reach the integration checkout (config `worktree.packages`). */
  packages?: PackagesMode;
}

/**
 * Validate task branches against a plan, cheapest checks first: every branch is merged in
 * dependency order without a checkout (`git merge-tree`), so a branch that cannot merge is
 * reported before anything runs; then the base is checked (type errors and criteria already
 * failing there are pre-existing: reported, never sent to a task); then the merge train on the
 * integration checkout, one project type check of the result with the project's own TypeScript
 * (errors matched to the base by file, code and message, not line), each distinct criterion
 * command once, contracts, race patterns and dependencies. Every new finding a task can act on
 * becomes one fix task; a new failure in files no task owns is left for the user.
 */
export async function validateBranches(settings: ValidateSettings): Promise<ValidationReport> {
  const { plan } = settings;
  const progress = settings.onProgress ?? (() => {});
  const repo = await openRepo(settings.cwd);
  for (const b of settings.branches) {
    const task = plan.tasks.find((t) => t.id === b.taskId);
    if (!task) {
      throw new UserError(
        'unknown-task',
        `task "${b.taskId}" is not in the plan; choose one of: ${plan.tasks.map((t) => t.id).join(', ')}`,
      );
    }
  }
  const twice = settings.branches.find(
    (b, i) => settings.branches.findIndex((x) => x.taskId === b.taskId) !== i,
  );
  if (twice)
    throw new UserError('duplicate-task', `task "${twice.taskId}" is given twice; pass one ref per task`);
  const refs = new Map<string, { ref: string; sha: string }>();
  for (const b of settings.branches)
    refs.set(b.taskId, { ref: b.ref, sha: await resolveRef(repo.root, b.ref, `task ${b.taskId}`) });
  const base = await resolveRef(repo.root, settings.base ?? 'HEAD', 'base');
  const runId =
    settings.runId ?? `validate-${(settings.randomId ?? (() => randomBytes(4).toString('hex')))()}`;
  for (const w of settings.warnings ?? []) progress(`warning: ${w}`);
  // Plan order: dependencies first, ties in the order the plan lists the tasks.
  const ordered = dependencyOrder(plan.tasks.filter((t) => refs.has(t.id)));
  const shaOf = (id: string) => (refs.get(id) as { sha: string }).sha;
  const refOf = (id: string) => (refs.get(id) as { ref: string }).ref;
  const findings: Finding[] = [];
  const preexisting: Finding[] = [];
  const conflicts: Conflict[] = [];
  const merges: MergeStep[] = [];
  const changed = new Map<string, string[]>();
  const startOf = (taskId: string) => settings.branches.find((b) => b.taskId === taskId)?.start ?? base;
  for (const t of ordered)
    changed.set(t.id, await changedFiles(repo.root, startOf(t.id), (refs.get(t.id) as { sha: string }).sha));

  // Cheapest first: which branches cannot merge, before any type check or command runs.
  const predicted = await precheckMerges(
    repo.root,
    base,
    ordered.map((t) => ({ taskId: t.id, sha: shaOf(t.id) })),
  );
  for (const [taskId, files] of predicted ?? [])
    progress(`conflict: ${taskId} (${refOf(taskId)}) cannot merge: ${files.join(', ') || 'the merge'}`);

  const tree = await openIntegrationTree({
    repo,
    runId,
    base,
    ...(settings.noMerge ? { noMerge: true } : {}),
    ...(settings.packages ? { packages: settings.packages } : {}),
  });
  const integration = tree.branch ?? 'the integration checkout';
  const criteriaRuns: CriterionRun[] = [];
  let typescript: ValidationReport['typescript'] = null;
  try {
    const checker = createProjectTypeChecker({ root: tree.path });
    typescript = checker.typescript;
    const runnerOpt = settings.runner ? { runner: settings.runner } : {};
    const cacheOpt = settings.criteriaCache ? { cache: settings.criteriaCache } : {};
    const criteriaTasks = ordered.filter((t) => settings.criteriaOf?.includes(t.id) ?? true);
    let baseCheck = settings.baseCheck?.base === base ? settings.baseCheck : undefined;
    if (!baseCheck) {
      baseCheck = await checkBaseTree({
        root: tree.path,
        base,
        tree: await tree.treeId(),
        checker,
        tasks: criteriaTasks,
        ...runnerOpt,
        ...cacheOpt,
        onProgress: progress,
      });
      await tree.tidy();
    }
    const merged: Task[] = [];
    for (const task of ordered) {
      const { ref, sha } = refs.get(task.id) as { ref: string; sha: string };
      progress(`merging ${task.id} (${ref})`);
      const outcome = await tree.merge(sha, `orchestra: merge ${task.id} (${ref})`);
      if (!outcome.ok) {
        const files = outcome.conflictFiles;
        const withTasks = merged
          .filter((m) => (changed.get(m.id) ?? []).some((f) => files.includes(f)))
          .map((m) => m.id);
        const conflict: Conflict = { files, taskId: task.id, withTasks, ref };
        conflicts.push(conflict);
        merges.push({ taskId: task.id, ref, ok: false, conflictFiles: files });
        findings.push(conflictFinding(conflict, task.agent, integration));
        progress(`  conflict in ${files.join(', ') || outcome.message}: merge aborted`);
        continue;
      }
      merged.push(task);
      merges.push({ taskId: task.id, ref, ok: true, commit: outcome.commit });
    }

    progress(`type-checking ${integration} (TypeScript ${checker.typescript.version})`);
    const diagnostics = checker.check();
    const { fresh, old } = newDiagnostics(baseCheck.typeErrors, diagnostics);
    progress(
      `  ${fresh.length} new type error${fresh.length === 1 ? '' : 's'}${old.length ? `, ${old.length} already on the base` : ''}`,
    );
    const lastChanging = (file: string | undefined) =>
      file ? [...merged].reverse().find((t) => changed.get(t.id)?.includes(file))?.id : undefined;
    for (const d of fresh) findings.push(...typeErrorFindings([d], plan.tasks, lastChanging(d.file)));
    preexisting.push(...preexistingFindings({ ...baseCheck, criteria: [], typeErrors: old }));

    const toRun = merged.filter((t) => criteriaTasks.includes(t));
    const runs = await runCriteriaOnce(toRun, {
      cwd: tree.path,
      tree: await tree.treeId(),
      ...runnerOpt,
      ...cacheOpt,
      onResult: (r) => progress(`  ${criterionLine(r)}`),
    });
    criteriaRuns.push(...runs);
    const exists = (p: string) => existsSync(join(tree.path, p));
    const fresherRuns: CriterionRun[] = [];
    for (const r of runs.filter(criterionFailed)) {
      const onBase = (baseCheck as BaseCheck).criteria.find((b) => b.command === r.command);
      if (onBase && !r.ownWork && sameFailure(onBase, r))
        preexisting.push(
          ...preexistingFindings({ ...(baseCheck as BaseCheck), typeErrors: [], criteria: [r] }),
        );
      else fresherRuns.push(r);
    }
    const mergeOrder = merged.map((t) => t.id);
    findings.push(
      ...criterionFindings(fresherRuns, plan.tasks, (r) =>
        routeCriterion(r, { tasks: plan.tasks, fileExists: exists, mergeOrder }),
      ),
    );
    progress('checking contracts');
    findings.push(...checkContracts({ root: tree.path, plan, taskIds: merged.map((t) => t.id) }));
    const tsFiles = [...new Set(merged.flatMap((t) => changed.get(t.id) ?? []))].filter(
      (f) => /\.(ts|tsx|mts|cts)$/.test(f) && !f.endsWith('.d.ts'),
    );
    const owner = (path: string) =>
      ownerOf(path, plan.tasks) ?? merged.find((t) => changed.get(t.id)?.includes(path));
    findings.push(
      ...raceFindings(
        tsFiles.flatMap((path) => readTree(tree.path, path)),
        owner,
      ),
    );
    const excluded = [...plan.architecture.excludedDependencies, ...(settings.excludedDependencies ?? [])];
    if (excluded.length > 0) {
      for (const task of ordered) {
        const added = await addedDependencies(repo.root, startOf(task.id), shaOf(task.id));
        findings.push(...dependencyFindings(task, added, excluded));
      }
    }
  } finally {
    await tree.dispose();
  }

  const unique = dedupeFindings(findings);
  unique.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  const fixTasks = fixTasksFor(unique);
  if (settings.sink) {
    for (const c of conflicts) await settings.sink.addConflict(runId, c);
    for (const f of fixTasks) await settings.sink.addFixTask(runId, f);
  }
  return {
    runId,
    base,
    integrationBranch: settings.noMerge ? null : integrationBranch(runId),
    integrationWorktree: settings.noMerge ? null : tree.path,
    merges,
    conflicts,
    findings: unique,
    fixTasks,
    preexisting: dedupeFindings(preexisting),
    criteria: criteriaRuns.map((r) => ({
      command: r.command,
      tasks: r.tasks.map((t) => t.taskId),
      exitCode: r.exitCode,
      timedOut: r.timedOut,
      durationMs: r.durationMs,
      cached: r.cached,
    })),
    typescript,
    warnings: [...(settings.warnings ?? [])],
    ok: conflicts.length === 0 && unique.every((f) => f.severity !== 'error'),
  };
}

/** Identical findings (same id) are one: their related tasks and details are merged. */
export function dedupeFindings(findings: readonly Finding[]): Finding[] {
  const byId = new Map<string, Finding>();
  for (const f of findings) {
    const seen = byId.get(f.id);
    if (!seen) {
      byId.set(f.id, { ...f });
      continue;
    }
    const related = [...new Set([...(seen.relatedTasks ?? []), ...(f.relatedTasks ?? [])])];
    if (related.length) seen.relatedTasks = related;
  }
  return [...byId.values()];
}

/**
 * Whether a criterion fails on the tree as it already failed on the base: every line of its error
 * part (normalised: no timings, counts, line numbers or temporary paths) was in the base's error
 * part too, so a passing test file it now also lists, or an old error that moved, is still old.
 * A check that fails silently cannot be matched, so it is never called old.
 */
export function sameFailure(onBase: CriterionRun, now: CriterionRun): boolean {
  if (!criterionFailed(onBase) || !criterionFailed(now)) return false;
  const errorsNow = failureSignature(now.outputTail, now.cwd);
  if (errorsNow.length === 0) return false;
  const errorsBase = new Set(failureSignature(onBase.outputTail, onBase.cwd));
  return errorsNow.every((l) => errorsBase.has(l));
}

/** Report order: what blocks integration first, warnings last. */
const KIND_ORDER: readonly FindingKind[] = [
  'conflict',
  'contract',
  'type-error',
  'criterion',
  'dependency',
  'race',
];

async function resolveRef(cwd: string, ref: string, what: string): Promise<string> {
  const r = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd, allowFailure: true });
  if (r.code !== 0 || !r.stdout.trim()) {
    throw new UserError(
      'unknown-ref',
      `${what}: "${ref}" is not a commit in this repository; pass a branch, tag or commit`,
    );
  }
  return r.stdout.trim();
}

function readTree(root: string, path: string): Array<{ path: string; text: string }> {
  try {
    return [{ path, text: readFileSync(join(root, path), 'utf8') }];
  } catch {
    return []; // deleted by a later merge
  }
}
