import type { Plan } from '../domain/index.js';
import { globSyntaxProblem } from '../domain/index.js';
import { buildTaskGraph } from '../scheduler/index.js';
import { concurrencyOf, concurrencyProblems } from './plan-concurrency.js';
import { contractProblems } from './plan-contracts.js';
import { cycleThrough, stronglyConnected } from './plan-cycles.js';
import { hint, type LineLocator, type PlanProblem, planProblem, type ReportProblem } from './plan-problem.js';

/** Agents that conduct the run (Layers 1 and 4) and never take a task. */
export const NOT_ASSIGNABLE_AGENTS = ['orchestrator', 'integration-validator'] as const;

/** What validation may know beyond the plan itself. */
export interface ValidatePlanOptions {
  /** Agent names available to the run; the unknown-agent check is skipped when absent. */
  knownAgents?: readonly string[];
  /** Lines for problems, from the loaded file. */
  lineOf?: LineLocator;
}

/**
 * Every problem of a schema-valid plan at once: task ids and dependencies, cycles (with their
 * path), agents, contracts, ownership overlaps and read/write races between tasks that may run
 * concurrently, and tasks without success criteria. Near-linear except the reachability bitsets.
 */
export function validatePlan(plan: Plan, options: ValidatePlanOptions = {}): PlanProblem[] {
  const { lineOf } = options;
  const problems: PlanProblem[] = [];
  const report: ReportProblem = (code, message, path) => {
    problems.push(planProblem(code, message, path, lineOf));
  };
  const { tasks } = plan;

  // Tasks: the first task with an id is the one the graph keeps.
  const firstIndex = new Map<string, number>();
  tasks.forEach((t, i) => {
    const first = firstIndex.get(t.id);
    if (first === undefined) firstIndex.set(t.id, i);
    else
      report(
        'duplicate-task-id',
        `task id "${t.id}" is already used by tasks[${first}]; ids must be unique`,
        ['tasks', i, 'id'],
      );
  });
  const ids = [...firstIndex.keys()];
  tasks.forEach((t, i) => {
    const seen = new Set<string>();
    t.dependsOn.forEach((d, k) => {
      const path = ['tasks', i, 'dependsOn', k];
      if (d === t.id)
        report('self-dependency', `task "${t.id}" depends on itself; remove it from dependsOn`, path);
      else if (!firstIndex.has(d))
        report(
          'unknown-dependency',
          `task "${t.id}" depends on "${d}", which is no task${hint(d, ids)}`,
          path,
        );
      else if (seen.has(d))
        report('duplicate-dependency', `task "${t.id}" lists dependency "${d}" twice`, path);
      seen.add(d);
    });
    if ((NOT_ASSIGNABLE_AGENTS as readonly string[]).includes(t.agent))
      report(
        'agent-not-assignable',
        `task "${t.id}" is assigned to "${t.agent}", which plans or validates the run and takes no task; assign a specialist`,
        ['tasks', i, 'agent'],
      );
    else if (options.knownAgents && !options.knownAgents.includes(t.agent))
      report(
        'unknown-agent',
        `task "${t.id}" uses agent "${t.agent}", which is not defined${hint(t.agent, options.knownAgents)}`,
        ['tasks', i, 'agent'],
      );
    for (const kind of ['owns', 'reads'] as const)
      t[kind].forEach((glob, k) => {
        const why = globSyntaxProblem(glob);
        if (why) report('glob-syntax', `task "${t.id}" ${kind} "${glob}": ${why}`, ['tasks', i, kind, k]);
      });
    if (t.successCriteria.length === 0)
      report('no-success-criteria', `task "${t.id}" has no success criteria: nothing will show it is done`, [
        'tasks',
        i,
      ]);
  });

  // Cycles: one report per strongly connected component, naming one cycle through it.
  const graph = buildTaskGraph(tasks);
  const planIndex = graph.ids.map((id) => firstIndex.get(id) as number);
  const comp = stronglyConnected(graph);
  comp.members.forEach((members, c) => {
    if (members.length < 2) return;
    const cycle = cycleThrough(graph, comp, c);
    const names = cycle.map((v) => graph.ids[v] as string);
    const head = cycle[0] as number;
    const task = tasks[planIndex[head] as number];
    const k = task?.dependsOn.indexOf(names[1] as string) ?? -1;
    const more =
      members.length > cycle.length - 1 ? ` (${members.length} tasks are caught in this loop)` : '';
    report(
      'dependency-cycle',
      `dependency cycle: ${names.join(' → ')}${more}; each depends on the next, so none can start: remove one of these dependencies`,
      ['tasks', planIndex[head] as number, ...(k >= 0 ? ['dependsOn', k] : [])],
    );
  });

  contractProblems(plan, firstIndex, report);
  for (const p of concurrencyProblems(tasks, graph, planIndex, concurrencyOf(graph, comp), lineOf))
    problems.push(p);
  return problems;
}
