export {
  type BaseCheck,
  checkBase,
  checkBaseTree,
  criterionLine,
  preexistingFindings,
} from './base-check.js';
export { type ContractCheckOptions, checkContracts } from './contract-check.js';
export { compareShapes, describeDefect, nameSimilarity, normalizeName } from './contract-compare.js';
export { formatShape, normalizeTypeText, type Shape, shapeOfSymbol } from './contract-shape.js';
export { type ContractUse, findContractUses } from './contract-uses.js';
export {
  type CommandRunner,
  CriteriaCache,
  type CriterionRoute,
  type CriterionRun,
  criterionFailed,
  criterionFindings,
  DEFAULT_CRITERION_TIMEOUT_MS,
  errorLines,
  failureLines,
  failureSignature,
  filesNamedIn,
  routeCriterion,
  runCriteriaOnce,
  sandboxedRunner,
  shellRunner,
} from './criteria.js';
export {
  type AddedDependency,
  addedDependencies,
  dependencyFindings,
  isExcluded,
} from './dependency-drift.js';
export { conflictFinding, fixTasksFor } from './fix-tasks.js';
export {
  changedFiles,
  type IntegrationTree,
  type IntegrationTreeSettings,
  integrationBranch,
  integrationWorktreePath,
  type MergeOutcome,
  openIntegrationTree,
  precheckMerges,
} from './merge-train.js';
export { dependencyOrder, ownedBy, ownerOf } from './ownership.js';
export {
  loadProjectTypeScript,
  type ProjectTypeScript,
  type TypeScriptModule,
} from './project-typescript.js';
export { findRaces, type RaceHit, raceFindings } from './race-check.js';
export { formatReport, type ReportStyle } from './report.js';
export { loadProjectConfig, type ProjectConfig, SourceFileCache } from './ts-program.js';
export {
  createProjectTypeChecker,
  newDiagnostics,
  type ProjectTypeChecker,
  type TypeDiagnostic,
  typeErrorFindings,
} from './type-check.js';
export * from './types.js';
export {
  dedupeFindings,
  sameFailure,
  type TaskBranch,
  type ValidateSettings,
  validateBranches,
} from './validate.js';
export { hubSink, type ValidateRunSettings, validateRun } from './validate-run.js';
