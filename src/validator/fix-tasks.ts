import type { Conflict, Finding, FixTask } from './types.js';

/** One fix task per finding that a task owns, routed to that task's owner. */
export function fixTasksFor(findings: readonly Finding[]): FixTask[] {
  return findings.flatMap((f): FixTask[] => {
    if (f.taskId === undefined) return [];
    const lines = [`${f.title}.`, ...f.details.map((d) => `- ${d}`), ...(f.fix ? [`Fix: ${f.fix}.`] : [])];
    const files = [
      ...new Set([
        ...(f.location ? [f.location.file] : []),
        ...(f.kind === 'conflict' ? conflictFiles(f) : []),
      ]),
    ];
    return [
      {
        id: `fix:${f.id}`,
        taskId: f.taskId,
        ...(f.agent ? { agent: f.agent } : {}),
        kind: f.kind,
        description: lines.join('\n'),
        ...(f.contractId ? { contractId: f.contractId } : {}),
        ...(f.expected ? { expected: f.expected } : {}),
        ...(f.actual ? { actual: f.actual } : {}),
        files,
        findingIds: [f.id],
      },
    ];
  });
}

function conflictFiles(f: Finding): string[] {
  return f.details.filter((d) => d.startsWith('conflict in ')).map((d) => d.slice('conflict in '.length));
}

/** The finding for a merge conflict: the later task rebases and resolves. */
export function conflictFinding(c: Conflict, agent: string | undefined, integration: string): Finding {
  const withText = c.withTasks.length ? c.withTasks.join(', ') : 'the base';
  return {
    id: `conflict:${c.taskId}`,
    kind: 'conflict',
    severity: 'error',
    taskId: c.taskId,
    ...(agent ? { agent } : {}),
    title: `Merge conflict: ${c.taskId} (${c.ref}) with ${withText}`,
    details: c.files.map((f) => `conflict in ${f}`),
    expected: `${c.ref} merges cleanly into ${integration}`,
    actual: `conflicts in ${c.files.join(', ') || 'the merge'}`,
    fix: `merge ${integration} into ${c.ref} and resolve the conflicts, keeping the changes of ${withText}`,
    relatedTasks: c.withTasks,
  };
}
