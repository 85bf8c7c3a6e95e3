import type { Plan, Task } from '../domain/index.js';
import { dependencyStart } from '../executor/index.js';
import { git } from '../git/index.js';
import type { Hub } from '../hub/index.js';
import { dependencyOrder } from '../validator/index.js';

/** Where a task's worktree starts and what it holds. */
export interface TaskStart {
  /** The commit: the run's base, or the base with the dependencies' branches merged. */
  commit: string;
  /** The tasks whose work it holds (transitive dependencies, in merge order). */
  dependencies: string[];
  /** The dependencies' branch heads it was built from. */
  tips: string[];
}

/** Every task `task` depends on, directly or not, in dependency order. */
export function transitiveDependencies(plan: Plan, task: Task): Task[] {
  const seen = new Set<string>();
  const visit = (id: string) => {
    for (const d of plan.tasks.find((t) => t.id === id)?.dependsOn ?? []) {
      if (seen.has(d)) continue;
      seen.add(d);
      visit(d);
    }
  };
  visit(task.id);
  return dependencyOrder(plan.tasks.filter((t) => seen.has(t.id)));
}

/**
 * Where a task starts: a task without dependencies at the run's base; a dependent at the base with
 * the current branch of every task it depends on merged (the same merges the integration branch
 * holds for them, once they are merged there), so its own checks see the files it consumes. A
 * dependency without a branch (never run) is left out; a conflict among them (not possible for
 * branches the merge train merged cleanly in this order) falls back to the base, saying so.
 */
export async function taskStart(s: {
  repoRoot: string;
  hub: Pick<Hub, 'tasks'>;
  runId: string;
  plan: Plan;
  task: Task;
  base: string;
  env?: NodeJS.ProcessEnv;
}): Promise<TaskStart & { problem?: string }> {
  const tips: Array<{ taskId: string; ref: string; sha: string }> = [];
  for (const dep of transitiveDependencies(s.plan, s.task)) {
    const branch = s.hub.tasks.get(s.runId, dep.id)?.branch;
    if (!branch) continue;
    const r = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], {
      cwd: s.repoRoot,
      allowFailure: true,
      ...(s.env ? { env: s.env } : {}),
    });
    if (r.code === 0) tips.push({ taskId: dep.id, ref: branch, sha: r.stdout.trim() });
  }
  if (tips.length === 0) return { commit: s.base, dependencies: [], tips: [] };
  const start = await dependencyStart({
    cwd: s.repoRoot,
    base: s.base,
    tips: tips.map((t) => ({ taskId: t.taskId, ref: t.sha })),
    ...(s.env ? { env: s.env } : {}),
  });
  if (!start.ok) return { commit: s.base, dependencies: [], tips: [], problem: start.message };
  return { commit: start.commit, dependencies: start.dependencies, tips: tips.map((t) => t.sha) };
}

/** True when every commit of `tips` is already in `ref`'s history. */
export async function containsAll(
  cwd: string,
  ref: string,
  tips: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<boolean> {
  for (const tip of tips) {
    const r = await git(['merge-base', '--is-ancestor', tip, ref], {
      cwd,
      allowFailure: true,
      ...(env ? { env } : {}),
    });
    if (r.code !== 0) return false;
  }
  return true;
}
