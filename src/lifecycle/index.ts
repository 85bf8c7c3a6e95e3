export { canonicalJson } from './canonical-json.js';
export {
  type CircularModificationDetector,
  type CircularModificationSettings,
  createCircularModificationDetector,
  type FileHistory,
  hasCircularModification,
} from './circular-modification.js';
export { type ContextRuleSettings, contextTokens, contextVerdict, percent } from './context-monitor.js';
export {
  CONTEXT_WINDOW_TABLE,
  type ContextWindowSetting,
  contextWindowFor,
  DEFAULT_CONTEXT_WINDOW,
  EXTENDED_CONTEXT_WINDOW,
  resolveContextWindow,
} from './context-window.js';
export { collapseDebugging, type DebuggingOutcome, type UnresolvedFailure } from './debugging.js';
export { extractExportedDeclarations } from './exported-declarations.js';
export { createFailureCounter, type FailureCounter, type FailureStreak } from './failure-counter.js';
export {
  createLifecycleMonitor,
  type LifecycleMonitor,
  type LifecycleMonitorSettings,
  type LifecycleState,
} from './monitor.js';
export { renderHandoffForPacket } from './render-handoff.js';
export { createRepeatedToolCallDetector, type RepeatedToolCallDetector } from './repeated-tool-call.js';
export {
  type AttemptSummary,
  type ChangedFile as AttemptChangedFile,
  type CriterionResult,
  type SummarizeAttemptInput,
  summarizeAttempt,
} from './summarize.js';
export { DEFAULT_THRESHOLDS, type LifecycleThresholds, resolveThresholds } from './thresholds.js';
export {
  describeCall,
  reconstructToolCalls,
  type ToolCall,
  type ToolCategory,
  toolCategory,
} from './tool-calls.js';
export { createToolSettlement, type ToolSettlement } from './tool-settlement.js';
export {
  continueVerdict,
  type Verdict,
  type VerdictAction,
  type VerdictEvidence,
  type VerdictReason,
} from './verdict.js';
