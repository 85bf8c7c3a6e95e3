import { renderReportHtml } from './report-html.js';
import { renderReportMd } from './report-md.js';
import type { RunReport } from './report-types.js';

/** Formats `orchestra report` writes. */
export const REPORT_FORMATS = ['md', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The report as pretty JSON: every figure exactly as read from the hub. */
export function renderReportJson(r: RunReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/** Render a report in one of the formats. */
export function renderReport(r: RunReport, format: ReportFormat): string {
  if (format === 'json') return renderReportJson(r);
  return format === 'html' ? renderReportHtml(r) : renderReportMd(r);
}
