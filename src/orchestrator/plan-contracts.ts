import type { Plan } from '../domain/index.js';
import { hint, type ReportProblem } from './plan-problem.js';

/**
 * Contracts: each declared once, provided by exactly one task (the owner it names), and consumed
 * only when some task provides it. `taskIndex` maps each task id to its first task.
 */
export function contractProblems(
  plan: Plan,
  taskIndex: ReadonlyMap<string, number>,
  report: ReportProblem,
): void {
  const { tasks, contracts } = plan;
  const ids = [...taskIndex.keys()];
  const declared = new Map<string, number>();
  contracts.forEach((c, i) => {
    const first = declared.get(c.id);
    if (first === undefined) declared.set(c.id, i);
    else
      report('duplicate-contract-id', `contract id "${c.id}" is already declared by contracts[${first}]`, [
        'contracts',
        i,
        'id',
      ]);
  });
  const contractIds = [...declared.keys()];
  const providers = new Map<string, Array<{ task: number; k: number }>>();
  tasks.forEach((t, i) => {
    t.provides.forEach((c, k) => {
      if (!declared.has(c))
        report(
          'undeclared-contract',
          `task "${t.id}" provides contract "${c}", which is not declared in contracts${hint(c, contractIds)}`,
          ['tasks', i, 'provides', k],
        );
      const list = providers.get(c) ?? [];
      list.push({ task: i, k });
      providers.set(c, list);
    });
  });
  for (const [c, list] of providers) {
    const [first, ...others] = list;
    const firstId = tasks[first?.task ?? 0]?.id;
    for (const o of others)
      report(
        'contract-multiple-providers',
        `contract "${c}" is provided by both "${firstId}" and "${tasks[o.task]?.id}"; one task must own each contract`,
        ['tasks', o.task, 'provides', o.k],
      );
  }
  tasks.forEach((t, i) => {
    t.consumes.forEach((c, k) => {
      const path = ['tasks', i, 'consumes', k];
      if (!declared.has(c))
        report(
          'undeclared-contract',
          `task "${t.id}" consumes contract "${c}", which is not declared in contracts${hint(c, contractIds)}`,
          path,
        );
      if (!providers.has(c)) {
        const owner = contracts[declared.get(c) ?? -1]?.owner;
        const fix =
          owner && taskIndex.has(owner) ? `; add "${c}" to the provides of its owner "${owner}"` : '';
        report(
          'contract-not-provided',
          `task "${t.id}" consumes contract "${c}", but no task provides it${fix}`,
          path,
        );
      }
    });
  });
  contracts.forEach((c, i) => {
    if (declared.get(c.id) !== i) return;
    const path = ['contracts', i, 'owner'];
    const owner = taskIndex.get(c.owner);
    if (owner === undefined)
      report(
        'unknown-contract-owner',
        `contract "${c.id}" is owned by "${c.owner}", which is no task${hint(c.owner, ids)}`,
        path,
      );
    else if (!(tasks[owner]?.provides ?? []).includes(c.id))
      report(
        'contract-owner-mismatch',
        `contract "${c.id}" names "${c.owner}" as owner, but that task does not list it in provides`,
        path,
      );
  });
}
