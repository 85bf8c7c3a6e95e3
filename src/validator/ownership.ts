import type { Task } from '../domain/index.js';
import { findMatchingGlob } from '../domain/index.js';

/** The task whose ownership globs match the path (the first in plan order), if any. */
export function ownerOf(path: string, tasks: readonly Task[]): Task | undefined {
  return tasks.find((t) => findMatchingGlob(path, t.owns) !== undefined);
}

/** The repository-relative paths among `paths` that the task owns. */
export function ownedBy(task: Task, paths: readonly string[]): string[] {
  return paths.filter((p) => findMatchingGlob(p, task.owns) !== undefined);
}

/**
 * Tasks in dependency order (dependencies first), ties kept in the given order. Dependencies on
 * tasks outside `tasks` are ignored; a cycle keeps its members in the given order.
 */
export function dependencyOrder(tasks: readonly Task[]): Task[] {
  const ids = new Set(tasks.map((t) => t.id));
  const done = new Set<string>();
  const out: Task[] = [];
  let progressed = true;
  while (out.length < tasks.length && progressed) {
    progressed = false;
    for (const t of tasks) {
      if (done.has(t.id)) continue;
      if (t.dependsOn.every((d) => !ids.has(d) || done.has(d))) {
        done.add(t.id);
        out.push(t);
        progressed = true;
        break; // restart so an earlier task freed by this one goes first
      }
    }
  }
  for (const t of tasks) if (!done.has(t.id)) out.push(t);
  return out;
}
