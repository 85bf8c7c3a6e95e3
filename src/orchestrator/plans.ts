/**
 * Plans without the planner: a second face of `orchestrator/` for loading, checking and rendering
 * plans and a task's context, so `orchestra plan check|show` and `task context` load neither the
 * repository survey (TypeScript's compiler) nor the Agent SDK. Everything here is also exported by
 * `index.ts`.
 */
export {
  type CheckPlanOptions,
  checkPlanFile,
  checkPlanText,
  loadValidPlan,
  type PlanReport,
  readPlanText,
} from './plan-check.js';
export { type LoadedPlan, loadPlanText, type PlanFormat, type PlanLoad, planFormatOf } from './plan-load.js';
export {
  formatPlanPath,
  formatPlanProblem,
  type LineLocator,
  PLAN_PROBLEM_CODES,
  type PlanPathSegment,
  type PlanProblem,
  type PlanProblemCode,
  type PlanProblemSeverity,
  planProblem,
  sortPlanProblems,
} from './plan-problem.js';
export { planToMermaid, planToText } from './plan-render.js';
export { NOT_ASSIGNABLE_AGENTS, type ValidatePlanOptions, validatePlan } from './plan-validate.js';
export { type TaskContext, type TaskContextSettings, taskContext } from './task-context.js';
