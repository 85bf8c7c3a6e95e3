import type { Plan, Task } from '../domain/index.js';
import { openRepo } from '../git/index.js';
import {
  type CommandRunner,
  type CriteriaCache,
  type CriterionRun,
  criterionFailed,
  runCriteriaOnce,
} from './criteria.js';
import { openIntegrationTree } from './merge-train.js';
import type { ProjectTypeChecker, TypeDiagnostic } from './type-check.js';
import { createProjectTypeChecker } from './type-check.js';
import type { Finding } from './types.js';

/** What already fails on the base commit, before any task's work is merged. */
export interface BaseCheck {
  base: string;
  typeErrors: TypeDiagnostic[];
  /** Every distinct criterion command of the plan, run once on the base. */
  criteria: CriterionRun[];
  typescript: ProjectTypeChecker['typescript'];
}

/** Settings shared by the base checks. */
export interface BaseCheckSettings {
  tasks: readonly Task[];
  runner?: CommandRunner;
  cache?: CriteriaCache;
  onProgress?: (line: string) => void;
}

/**
 * Check the tree at `root` (checked out at `base`): the project type check with `checker` and the
 * criteria of `tasks`, each distinct command once.
 */
export async function checkBaseTree(
  settings: BaseCheckSettings & { root: string; base: string; tree: string; checker: ProjectTypeChecker },
): Promise<BaseCheck> {
  const progress = settings.onProgress ?? (() => {});
  const { typescript } = settings.checker;
  progress(
    `checking the base ${settings.base.slice(0, 12)} (TypeScript ${typescript.version}${typescript.source === 'project' ? ", the project's own" : ', bundled'})`,
  );
  if (typescript.note) progress(`  note: ${typescript.note}`);
  const typeErrors = settings.checker.check();
  progress(`  ${typeErrors.length} type error${typeErrors.length === 1 ? '' : 's'} on the base`);
  const criteria = await runCriteriaOnce(settings.tasks, {
    cwd: settings.root,
    tree: settings.tree,
    ...(settings.runner ? { runner: settings.runner } : {}),
    ...(settings.cache ? { cache: settings.cache } : {}),
    onResult: (r) => progress(`  ${criterionLine(r)} (on the base)`),
  });
  return { base: settings.base, typeErrors, criteria, typescript };
}

/**
 * Check the base commit of a plan in a temporary detached checkout (removed afterwards): what
 * fails here is pre-existing, reported and never sent to a task.
 */
export async function checkBase(
  settings: BaseCheckSettings & { cwd: string; base: string; plan: Plan },
): Promise<BaseCheck> {
  const repo = await openRepo(settings.cwd);
  const tree = await openIntegrationTree({ repo, runId: 'base-check', base: settings.base, noMerge: true });
  try {
    return await checkBaseTree({
      ...settings,
      tasks: settings.plan.tasks,
      root: tree.path,
      tree: await tree.treeId(),
      checker: createProjectTypeChecker({ root: tree.path }),
    });
  } finally {
    await tree.dispose();
  }
}

/**
 * The base's failures as findings owned by no task, for the report's "Already failing on the base".
 * A criterion that fails without a word (`test -f src/new.ts`) is the work still to do, not a
 * known breakage: it is left out, as it is never matched to a later failure. So is a check that
 * names a task's own files (`npx vitest run test/pattern.test.ts` before the task wrote it).
 */
export function preexistingFindings(check: BaseCheck): Finding[] {
  const out: Finding[] = [];
  for (const r of check.criteria.filter(
    (c) => criterionFailed(c) && !c.ownWork && c.outputTail.trim() !== '',
  )) {
    const how = r.timedOut ? `timed out after ${r.durationMs} ms` : `exited with ${r.exitCode ?? 'an error'}`;
    out.push({
      id: `criterion:${r.command}`,
      kind: 'criterion',
      severity: 'error',
      title: `\`${r.command}\` ${how} on the base (${r.tasks.map((t) => t.description).join('; ')})`,
      details: r.outputTail
        .trimEnd()
        .split('\n')
        .slice(-8)
        .map((l) => `  | ${l}`),
      relatedTasks: r.tasks.map((t) => t.taskId),
    });
  }
  for (const d of check.typeErrors) {
    const where = d.file ? `${d.file}:${d.line}:${d.column}` : 'project';
    out.push({
      id: `type:${d.file ?? ''}:${d.code}:${d.message}`,
      kind: 'type-error',
      severity: 'error',
      title: `TS${d.code} in ${where}: ${d.message.split('\n')[0]}`,
      details: [],
      ...(d.file && d.line && d.column ? { location: { file: d.file, line: d.line, column: d.column } } : {}),
    });
  }
  return out;
}

/** `✓ npx vitest run (api, ui) passed in 1.2 s` — how a criterion ended, for progress lines. */
export function criterionLine(r: CriterionRun): string {
  const who = r.tasks.map((t) => t.taskId).join(', ');
  const how = r.timedOut
    ? `timed out after ${(r.durationMs / 1000).toFixed(1)} s`
    : r.exitCode === 0
      ? `passed in ${(r.durationMs / 1000).toFixed(1)} s`
      : `failed (exit ${r.exitCode ?? 'error'}) in ${(r.durationMs / 1000).toFixed(1)} s`;
  return `${criterionFailed(r) ? '✗' : '✓'} criterion \`${r.command}\` (${who}) ${how}${r.cached ? ', same tree: not run again' : ''}`;
}
