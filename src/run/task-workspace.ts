import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Task } from '../domain/index.js';
import { type TaskWorktree, taskBranch } from '../executor/index.js';
import { git } from '../git/index.js';
import { containsAll } from './start-point.js';
import type { TaskRunnerSettings } from './task-runner.js';

/** The task's worktree, the commit its own work is measured from, and the dependencies it holds. */
export interface TaskWorkspace {
  wt: TaskWorktree;
  start: string;
  /** Undefined when not known (no start settings: a single task). */
  dependencies: string[] | undefined;
}

/**
 * Open the task's worktree at the right start: a new branch starts where `start` says (recorded
 * in the hub before git creates it, so a kill in between cannot lose it); a kept branch keeps its
 * recorded start, and gets its dependencies' newer work merged in (a fix attempt sees the code it
 * must fit). A new worktree is then made ready to run the project's commands.
 */
export async function openTaskWorkspace(s: TaskRunnerSettings, task: Task): Promise<TaskWorkspace> {
  const { hub, runId } = s;
  const root = s.worktrees.repo.root;
  const branch = taskBranch(runId, task.id);
  const desired = await s.start?.();
  if (desired?.problem) hub.events.append({ runId, taskId: task.id, type: 'note', text: desired.problem });
  const exists = await branchHead(root, branch);
  const prior = hub.tasks.get(runId, task.id);
  let start: string;
  if (exists) start = prior?.startCommit ?? s.worktrees.base;
  else {
    start = desired?.commit ?? s.worktrees.base;
    hub.tasks.upsert({ runId, id: task.id, agent: s.agent.name, startCommit: start });
  }
  const wt = await s.worktrees.create(task.id, { start });
  hub.tasks.upsert({ runId, id: task.id, agent: s.agent.name, branch: wt.branch, worktree: wt.path });
  if (exists && desired && desired.tips.length > 0 && !(await containsAll(root, branch, desired.tips))) {
    const r = await s.worktrees.refresh(task.id, desired.commit);
    if (r.ok) {
      start = desired.commit;
      hub.tasks.upsert({ runId, id: task.id, startCommit: start });
    } else
      hub.events.append({
        runId,
        taskId: task.id,
        type: 'note',
        text: `could not merge the dependencies' newer work into ${branch}: ${r.message}`,
      });
  }
  const dependencies =
    desired === undefined ? undefined : start === s.worktrees.base ? [] : desired.dependencies;
  if (s.prepare && (!wt.reused || !existsSync(join(wt.path, 'node_modules')))) {
    const p = await s.prepare(wt.path);
    hub.events.append({
      runId,
      taskId: task.id,
      type: 'worktree.ready',
      path: wt.path,
      start,
      dependencies: dependencies ?? [],
      setup: p.setup,
      ...(p.command ? { command: p.command } : {}),
      ok: p.ok,
      ms: p.ms,
      ...(p.detail ? { detail: p.detail } : {}),
    });
  }
  return { wt, start, dependencies };
}

async function branchHead(root: string, branch: string): Promise<string | undefined> {
  const r = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], {
    cwd: root,
    allowFailure: true,
  });
  return r.code === 0 ? r.stdout.trim() : undefined;
}
