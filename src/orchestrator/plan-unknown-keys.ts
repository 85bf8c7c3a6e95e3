import type { z } from 'zod';
import { closest } from '../agents/index.js';
import {
  contractSchema,
  decisionSchema,
  planSchema,
  successCriterionSchema,
  taskSchema,
} from '../domain/index.js';
import { type LineLocator, type PlanPathSegment, type PlanProblem, planProblem } from './plan-problem.js';

const keysOf = (schema: z.ZodObject) => Object.keys(schema.shape);
const PLAN_KEYS = keysOf(planSchema);
const ARCHITECTURE_KEYS = keysOf(planSchema.shape.architecture.unwrap());
const DECISION_KEYS = keysOf(decisionSchema);
const CONTRACT_KEYS = keysOf(contractSchema);
const TASK_KEYS = keysOf(taskSchema);
const CRITERION_KEYS = keysOf(successCriterionSchema);

/**
 * Keys the plan schema does not know. The schema drops them silently, so a typo such as
 * `dependOn` would quietly remove a dependency: each is reported with the likely intended key.
 */
export function unknownKeyProblems(data: object, lineOf: LineLocator): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const check = (value: unknown, known: readonly string[], path: PlanPathSegment[]) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const guess = closest(key, known);
      const hint = guess ? `did you mean "${guess}"?` : `known keys: ${known.join(', ')}`;
      problems.push(planProblem('unknown-key', `unknown key "${key}"; ${hint}`, [...path, key], lineOf));
    }
  };
  const each = (value: unknown, known: readonly string[], path: PlanPathSegment[]) => {
    if (Array.isArray(value)) for (const [i, v] of value.entries()) check(v, known, [...path, i]);
  };
  const plan = data as Record<string, unknown>;
  check(plan, PLAN_KEYS, []);
  check(plan.architecture, ARCHITECTURE_KEYS, ['architecture']);
  each((plan.architecture as Record<string, unknown> | undefined)?.decisions, DECISION_KEYS, [
    'architecture',
    'decisions',
  ]);
  each(plan.contracts, CONTRACT_KEYS, ['contracts']);
  each(plan.tasks, TASK_KEYS, ['tasks']);
  if (Array.isArray(plan.tasks))
    for (const [i, t] of plan.tasks.entries())
      each((t as Record<string, unknown> | null)?.successCriteria, CRITERION_KEYS, [
        'tasks',
        i,
        'successCriteria',
      ]);
  return problems;
}
