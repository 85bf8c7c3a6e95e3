/**
 * Orchestra's public API: what a library user calls — run, plan, validate, read the hub, implement or
 * adapt an executor — plus the schemas and errors at those boundaries. Everything else is internal
 * and may change; `test/architecture/public-api.snapshot.txt` shows every change of this surface.
 * Scripted models, scenarios and the executor conformance suite are in `orchestra/testing`.
 */

export { type LoadAgentsOptions, type LoadedAgents, lintProject, loadAgents } from './agents/index.js';
// Configuration and agent definitions.
export { loadConfig, type OrchestraConfig } from './config/index.js';
// Schemas of every boundary (agents, plans, events, handoffs, results) and parsing into results.
export {
  type AgentDefinition,
  agentSchema,
  type Contract,
  type Decision,
  type EventPayload,
  eventSchema,
  type Handoff,
  handoffSchema,
  type OrchestraEvent,
  type Parsed,
  type Plan,
  type PlanInput,
  parseWith,
  planSchema,
  SCHEMAS,
  type SchemaName,
  type Task,
  type TaskResult,
  taskResultSchema,
  toJsonSchema,
  type Usage,
} from './domain/index.js';
// Errors: one base class with a code; user errors exit with 2.
export { ExitCode, OrchestraError, UserError } from './errors.js';
// Executor: the versioned spec every coding agent adapter implements, and the Claude Code adapter.
export {
  type ClaudeCodeExecutorSettings,
  createClaudeCodeExecutor,
  type Execution,
  type ExecutionOutcome,
  type ExecutionRequest,
  type ExecutionStatus,
  type Executor,
  type StartOptions,
  systemTimers,
  type Timers,
} from './executor/index.js';
// Hub reading: the run's SQLite store and its records.
export {
  buildPacket,
  type ContextPacket,
  type DecisionRecord,
  type FixTask,
  type HandoffRecord,
  type Hub,
  type HubSettings,
  hubPath,
  type Lease,
  openHub,
  type Run,
  type StoredEvent,
  type TaskRecord,
  type UsageRecord,
} from './hub/index.js';
// Plan: create one from a request, check one from a file or text.
export {
  type CheckPlanOptions,
  type CreatedPlan,
  type CreatePlanOptions,
  checkPlanFile,
  checkPlanText,
  createPlan,
  formatPlanProblem,
  loadValidPlan,
  type PlanProblem,
  PlanRejectedError,
  type PlanReport,
  planToMermaid,
  type TaskContext,
  type TaskContextSettings,
  taskContext,
  type ValidatePlanOptions,
  validatePlan,
} from './orchestrator/index.js';
// Run: the engine, one task alone, progress, reports and status.
export {
  buildReport,
  buildStatus,
  createProgressView,
  listRuns,
  type ProgressSettings,
  type ProgressView,
  REPORT_FORMATS,
  type RunListRow,
  type RunOptions,
  type RunOutcome,
  type RunReport,
  type RunStatusView,
  renderReport,
  runOrchestra,
  runSingleTask,
  type SingleTaskOptions,
  type TaskRunOutcome,
  type WaveMode,
} from './run/index.js';
// Sandbox: whether agents and commands can be confined here.
export { detectSandbox, type SandboxDetection } from './sandbox/index.js';
// Validate: merge train, type check, criteria and contracts of a run or of branches.
export {
  checkContracts,
  type Finding,
  formatReport,
  type TaskBranch,
  type ValidateRunSettings,
  type ValidateSettings,
  type ValidationReport,
  validateBranches,
  validateRun,
} from './validator/index.js';
