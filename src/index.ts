/** Orchestra's public API: one export per layer (each folder's index is its public face). */
export * from './agents/index.js';
export * from './config/index.js';
export * from './domain/index.js';
export * from './errors.js';
export * from './executor/index.js';
export * from './git/index.js';
export * from './hub/index.js';
export * from './lifecycle/index.js';
export * from './orchestrator/index.js';
export * from './run/index.js';
export {
  agentEnv,
  type CommandSandbox,
  commandEnv,
  detectSandbox,
  INSTALL_HINT,
  type PreparedCommand,
  prepareCommand,
  type SandboxCommand,
  type SandboxDetection,
  type SandboxRuntime,
  type SandboxSpec,
  sandboxCommand,
} from './sandbox/index.js';
export * from './scheduler/index.js';
export {
  type ContractDefect,
  checkContracts,
  createProjectTypeChecker,
  type Finding,
  type FixTaskSink,
  findRaces,
  formatReport,
  hubSink,
  integrationBranch,
  type TaskBranch,
  type ValidateRunSettings,
  type ValidateSettings,
  type ValidationReport,
  validateBranches,
  validateRun,
} from './validator/index.js';
