import type { Plan } from '../domain/index.js';
import type { PacketSection } from './packet-sections.js';

/** What a task's worktree already holds when its agent starts. */
export interface PacketWorkspace {
  /** The tasks whose merged work the worktree starts from (empty: the run's base only). */
  dependencies: readonly string[];
}

/**
 * The packet section saying what is already in the worktree, so an agent that depends on other
 * tasks reads and builds on their files instead of recreating them (or giving up on a missing import).
 */
export function workspaceSection(plan: Plan, w: PacketWorkspace): PacketSection {
  const names = w.dependencies.map((d) => {
    const t = plan.tasks.find((x) => x.id === d);
    return t ? `${d} (${t.title})` : d;
  });
  const text =
    names.length === 0
      ? "## Your worktree\nIt holds the repository at the run's base commit; no other task's work is in it."
      : [
          '## Your worktree',
          `Your dependencies' work is merged here: ${names.join(', ')}.`,
          'Their files are in your worktree as they were merged: read and build on them, do not recreate them.',
        ].join('\n');
  return { name: 'workspace', priority: 98, required: true, text };
}
