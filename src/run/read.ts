/**
 * The read side of a run, a second face of `run/` without the engine: status, the runs list and
 * reports read the hub only, so `orchestra status`, `runs` and `report` load neither TypeScript's
 * compiler nor the validator. Everything here is also exported by `index.ts`.
 */
export { buildReport, sumUsage } from './report.js';
export { REPORT_FORMATS, type ReportFormat, renderReport, renderReportJson } from './report-render.js';
export type { RunReport } from './report-types.js';
export { buildStatus, listRuns, type RunListRow, type RunStatusView, resumeCommand } from './status.js';
export { noRuns, openRunsHub, pickRun, runLiveness } from './status-hub.js';
export { renderRuns, renderStatus } from './status-render.js';
