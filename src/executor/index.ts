export type { ClaudeCodeExecutorSettings } from './claude-code.js';
export {
  createClaudeCodeExecutor,
  DEFAULT_SPECIALIST_TOOLS,
  processEnv,
  specialistTools,
} from './claude-code.js';
export type { TaskIdentity } from './claude-code-prompt.js';
export { buildSystemPrompt, TASK_HEADER_KEYS, taskHeader } from './claude-code-prompt.js';
export type { AgentProcess, AgentSandbox } from './claude-code-sandbox.js';
export { prepareAgentProcess } from './claude-code-sandbox.js';
export { detectLogin, type LoginInfo, type LoginKind, seedConfigDir, userConfigDir } from './claude-login.js';
export { type DoctorReport, type DoctorSettings, renderDoctor, runDoctor } from './doctor.js';
export type {
  Denial,
  Execution,
  ExecutionOutcome,
  ExecutionRequest,
  ExecutionStatus,
  Executor,
  StartOptions,
  Timers,
} from './executor.js';
export { addUsage, emptyUsage, systemTimers } from './executor.js';
export type { OwnershipDecision, OwnershipPolicy, ResolvedTarget } from './ownership.js';
export {
  decideToolUse,
  decideWrite,
  NESTED_AGENT_TOOLS,
  resolveTarget,
  targetPathOf,
  WRITE_TOOLS,
} from './ownership.js';
export {
  checkScope,
  classifyScope,
  type InScopeFile,
  type ScopeResult,
  type ScopeViolation,
} from './scope.js';
export { resultStatus, StreamMapper, sha256, toUsage } from './stream.js';
export { Channel } from './stream-channel.js';
export { type ChangedFile, changedFiles } from './worktree-changes.js';
export { type TaskCommit, taskCommitMessage } from './worktree-commit.js';
export { assertSafeId, newRunId, taskBranch, taskWorktreePath } from './worktree-ids.js';
export { readRegistry, registryPath, updateRegistry } from './worktree-registry.js';
export { type DependencyTip, dependencyStart, type StartPoint } from './worktree-start.js';
export {
  runState,
  type SweepReport,
  type SweepSettings,
  type SweptRun,
  sweepWorktrees,
} from './worktree-sweep.js';
export {
  openRunWorktrees,
  type RunWorktrees,
  type RunWorktreesSettings,
  type TaskWorktree,
} from './worktrees.js';
