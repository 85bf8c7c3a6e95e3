import { PLAIN_STYLE, type TerminalStyle } from '../terminal/index.js';
import type { Finding, ValidationReport } from './types.js';

/** Optional styling for the text report (colours when the terminal allows them). */
export type ReportStyle = TerminalStyle;

/**
 * The report as text, in the article's form: the merge train, then "ISSUES DETECTED:" with one
 * numbered item per problem (both sides of a contract in one item) and its FIX line.
 */
export function formatReport(report: ValidationReport, style: ReportStyle = PLAIN_STYLE): string {
  const out: string[] = [];
  const where = report.integrationBranch ?? 'a temporary checkout (--no-merge)';
  for (const w of report.warnings) out.push(style.yellow(`warning: ${w}`));
  out.push(style.bold(`Merge train into ${where} from ${report.base.slice(0, 12)}`));
  if (report.integrationWorktree) out.push(style.dim(`  checkout: ${report.integrationWorktree}`));
  for (const m of report.merges) {
    const mark = m.ok ? style.green('✓') : style.red('✗');
    const what = m.ok
      ? (m.commit ?? '').slice(0, 12)
      : `conflict in ${(m.conflictFiles ?? []).join(', ') || 'the merge'}`;
    out.push(`  ${mark} ${m.taskId} (${m.ref}) ${what}`);
  }
  if (report.typescript) {
    const ts = report.typescript;
    out.push(
      style.dim(
        `  type check: TypeScript ${ts.version}${ts.source === 'project' ? " (the project's own)" : ' (bundled)'}`,
      ),
    );
    if (ts.note) out.push(style.dim(`    ${ts.note}`));
  }
  for (const c of report.criteria) {
    const ok = !c.timedOut && c.exitCode === 0;
    const how = c.timedOut ? 'timed out' : ok ? 'passed' : `failed (exit ${c.exitCode ?? 'error'})`;
    out.push(
      `  ${ok ? style.green('✓') : style.red('✗')} \`${c.command}\` (${c.tasks.join(', ')}) ${how}${c.cached ? style.dim(', same tree: not run again') : ''}`,
    );
  }
  out.push('');
  if (report.preexisting.length > 0) {
    out.push(style.bold('Already failing on the base (not sent to any task):'));
    for (const f of report.preexisting.slice(0, 20)) out.push(`  - ${f.title}`);
    if (report.preexisting.length > 20) out.push(`  … and ${report.preexisting.length - 20} more`);
    out.push('');
  }
  const items = groupItems(report.findings);
  if (items.length === 0) {
    out.push(style.green('No issues detected.'));
    return `${out.join('\n')}\n`;
  }
  out.push(style.bold('ISSUES DETECTED:'));
  items.forEach((group, i) => {
    const first = group[0] as Finding;
    const tag = first.severity === 'warning' ? style.yellow(' (warning)') : '';
    out.push(`${i + 1}. ${first.title}${tag}`);
    for (const f of group) {
      const who = f.taskId ? `${f.taskId}${f.agent ? ` (${f.agent})` : ''}` : 'no owning task';
      if (group.length > 1 || f.kind === 'contract') out.push(`  - ${who}: ${f.actual ?? ''}`.trimEnd());
      else out.push(`  - ${style.dim(`task ${who}`)}`);
      const details = f.kind === 'contract' ? f.details.slice(1) : f.details;
      for (const d of details) out.push(`    ${d}`);
      if (f.location)
        out.push(`    ${style.dim(`at ${f.location.file}:${f.location.line}:${f.location.column}`)}`);
    }
    const fixes = [...new Set(group.map((f) => f.fix).filter((f): f is string => f !== undefined))];
    for (const fix of fixes) out.push(`  FIX: ${fix}`);
  });
  out.push('');
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  out.push(
    `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}; ${report.fixTasks.length} fix task${report.fixTasks.length === 1 ? '' : 's'} for: ${[...new Set(report.fixTasks.map((t) => t.taskId))].join(', ') || 'none'}`,
  );
  return `${out.join('\n')}\n`;
}

/** Findings of the same contract form one item; every other finding is its own. */
function groupItems(findings: readonly Finding[]): Finding[][] {
  const groups: Finding[][] = [];
  const byContract = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.kind === 'contract' && f.contractId) {
      const g = byContract.get(f.contractId);
      if (g) {
        g.push(f);
        continue;
      }
      const fresh = [f];
      byContract.set(f.contractId, fresh);
      groups.push(fresh);
    } else groups.push([f]);
  }
  return groups;
}
