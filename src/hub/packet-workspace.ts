import type { Plan } from '../domain/index.js';
import type { PacketSection } from './packet-sections.js';

/** What a task's worktree already holds when its agent starts. */
export interface PacketWorkspace {
  /** The tasks whose merged work the worktree starts from (empty: the run's base only). */
  dependencies: readonly string[];
  /** The task ran before (a fix attempt, a respawn, a resume): its own earlier work is there too. */
  earlier?: boolean;
}

/**
 * The packet section saying what is already in the worktree, so an agent that depends on other
 * tasks reads and builds on their files instead of recreating them (or giving up on a missing import).
 */
export function workspaceSection(_plan: Plan, w: PacketWorkspace): PacketSection {
  // By id: the task header ("Builds on") already gives each dependency's title.
  const lines = ['## Your worktree'];
  if (w.dependencies.length === 0)
    lines.push(
      w.earlier
        ? "It started from the run's base commit; no other task's work is in it."
        : "It holds the repository at the run's base commit; no other task's work is in it.",
    );
  else
    lines.push(
      `Your dependencies' work is merged here: ${w.dependencies.join(', ')}.`,
      'Their files are in your worktree as they were merged: read and build on them, do not recreate them.',
    );
  if (w.earlier)
    lines.push(
      "Your own earlier work on this task is on your branch (`git log`, `git status`): build on it; don't redo it.",
    );
  const text = lines.join('\n');
  return { name: 'workspace', priority: 98, required: true, text };
}

/**
 * The checks that already fail on the run's base (from its base check): not the task's to fix, so
 * its agent does not spend turns proving they were red before. Optional: dropped first when over budget.
 */
export function preexistingSection(failing: readonly string[]): PacketSection | undefined {
  if (failing.length === 0) return undefined;
  const text = [
    '## Already failing before this run',
    "These checks fail on the run's base commit too: never counted against you, and not yours to fix unless your task says so.",
    ...failing.slice(0, 10).map((f) => `- ${f}`),
    ...(failing.length > 10 ? [`- … and ${failing.length - 10} more`] : []),
  ].join('\n');
  return { name: 'preexisting', priority: 20, required: false, text };
}
