export {
  type CheckPlanOptions,
  checkPlanFile,
  checkPlanText,
  loadValidPlan,
  type PlanReport,
  readPlanText,
} from './plan-check.js';
export {
  type CreatedPlan,
  type CreatePlanOptions,
  createPlan,
  ORCHESTRATOR_TOOLS,
  PlanRejectedError,
} from './plan-create.js';
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
