export { BASELINE_TASK, runBaseline, SINGLE_AGENT } from './baseline.js';
export { runOrchestra } from './engine.js';
export type { RunOptions, RunOutcome, WaveMode } from './engine-types.js';
export { type FullContext, type FullContextSettings, measureFullContext } from './full-context.js';
export {
  buildCompletionHandoff,
  type CompletionHandoffInput,
  dependentsOf,
  gitFileReader,
  storeCompletionHandoff,
} from './handoff.js';
export {
  createHubTools,
  HUB_TOOL_NAMES,
  HUB_TOOLS_SERVER,
  hubMcpServers,
  hubToolsAllowed,
} from './hub-tools.js';
export {
  createProgressView,
  type ProgressMode,
  type ProgressSettings,
  type ProgressView,
} from './progress.js';
export { buildReport, sumUsage } from './report.js';
export { REPORT_FORMATS, type ReportFormat, renderReport, renderReportJson } from './report-render.js';
export type { RunReport } from './report-types.js';
export { planNeedsSandbox, type RunSandbox, resolveRunSandbox } from './sandbox-setup.js';
export { runSingleTask, type SingleTaskOptions } from './single-task.js';
export { buildStatus, listRuns, type RunListRow, type RunStatusView, resumeCommand } from './status.js';
export { noRuns, openRunsHub, pickRun, runLiveness } from './status-hub.js';
export { renderRuns, renderStatus } from './status-render.js';
export { type AttemptReport, runTask, type TaskRunnerSettings, type TaskRunOutcome } from './task-runner.js';
