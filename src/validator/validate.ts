import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan, Task } from '../domain/plan.js';
import { UserError } from '../errors.js';
import { git } from '../git/git.js';
import { openRepo } from '../git/repo.js';
import { checkContracts } from './contract-check.js';
import { type CommandRunner, type CriterionResult, criterionFindings, runCriteria } from './criteria.js';
import { addedDependencies, dependencyFindings } from './dependency-drift.js';
import { conflictFinding, fixTasksFor } from './fix-tasks.js';
import { changedFiles, integrationBranch, openIntegrationTree } from './merge-train.js';
import { dependencyOrder, ownerOf } from './ownership.js';
import { raceFindings } from './race-check.js';
import { SourceFileCache } from './ts-program.js';
import {
  createProjectTypeChecker,
  diagnosticKey,
  type TypeDiagnostic,
  typeErrorFindings,
} from './type-check.js';
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
}

/**
 * Validate task branches against a plan: merge them one at a time in dependency order into the
 * integration checkout (a conflict aborts that merge and becomes a fix task for the later task),
 * type-check and run the task's success criteria after each merge, then check the contracts,
 * race patterns and dependencies of the result. Every finding owned by a task becomes a fix task.
 */
export async function validateBranches(settings: ValidateSettings): Promise<ValidationReport> {
  const { plan } = settings;
  const progress = settings.onProgress ?? (() => {});
  const repo = await openRepo(settings.cwd);
  const tasks = settings.branches.map((b) => {
    const task = plan.tasks.find((t) => t.id === b.taskId);
    if (!task) {
      throw new UserError(
        'unknown-task',
        `task "${b.taskId}" is not in the plan; choose one of: ${plan.tasks.map((t) => t.id).join(', ')}`,
      );
    }
    return task;
  });
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
  const ordered = dependencyOrder(tasks);
  const findings: Finding[] = [];
  const conflicts: Conflict[] = [];
  const merges: MergeStep[] = [];
  const changed = new Map<string, string[]>();
  const startOf = (taskId: string) => settings.branches.find((b) => b.taskId === taskId)?.start ?? base;
  for (const t of ordered)
    changed.set(t.id, await changedFiles(repo.root, startOf(t.id), (refs.get(t.id) as { sha: string }).sha));

  const tree = await openIntegrationTree({
    repo,
    runId,
    base,
    ...(settings.noMerge ? { noMerge: true } : {}),
  });
  const integration = tree.branch ?? 'the integration checkout';
  try {
    const cache = new SourceFileCache();
    const checker = createProjectTypeChecker({ root: tree.path, cache });
    progress(`type-checking the base ${base.slice(0, 12)}`);
    const baseline = new Set(checker.check().map(diagnosticKey));
    if (baseline.size > 0)
      progress(`  ${baseline.size} type errors already in the base: not counted against tasks`);
    const firstSeen = new Map<string, string>();
    let last: TypeDiagnostic[] = [];
    const criteria: CriterionResult[] = [];
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
      last = checker.check();
      for (const d of last) {
        const key = diagnosticKey(d);
        if (!baseline.has(key) && !firstSeen.has(key)) firstSeen.set(key, task.id);
      }
      progress(`  ${last.length} type error${last.length === 1 ? '' : 's'}`);
      criteria.push(
        ...(await runCriteria(task, {
          cwd: tree.path,
          ...(settings.runner ? { runner: settings.runner } : {}),
        })),
      );
    }
    for (const d of last) {
      const key = diagnosticKey(d);
      if (!baseline.has(key)) findings.push(...typeErrorFindings([d], plan.tasks, firstSeen.get(key)));
    }
    findings.push(...criterionFindings(criteria, plan.tasks));
    progress('checking contracts');
    findings.push(...checkContracts({ root: tree.path, plan, taskIds: merged.map((t) => t.id), cache }));
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
        const added = await addedDependencies(
          repo.root,
          startOf(task.id),
          (refs.get(task.id) as { sha: string }).sha,
        );
        findings.push(...dependencyFindings(task, added, excluded));
      }
    }
  } finally {
    await tree.dispose();
  }

  findings.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  const fixTasks = fixTasksFor(findings);
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
    findings,
    fixTasks,
    ok: conflicts.length === 0 && findings.every((f) => f.severity !== 'error'),
  };
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
