import { clip, columns, PLAIN_STYLE, type TerminalStyle } from '../terminal/index.js';
import { formatInt, formatUsd } from './report-format.js';
import type { RunListRow, RunStatusView } from './status.js';

function colourStatus(s: TerminalStyle, status: string): string {
  if (status === 'merged' || status === 'succeeded') return s.green(status);
  if (status === 'failed' || status === 'terminated' || status === 'interrupted' || status === 'blocked')
    return s.red(status);
  if (status === 'running' || status === 'stopped' || status.startsWith('running or'))
    return s.yellow(status);
  return status;
}

/** `orchestra status` as text. */
export function renderStatus(v: RunStatusView, s: TerminalStyle = PLAIN_STYLE): string {
  const out: string[] = [];
  const done = v.tasks.filter((t) => t.status === 'merged' || t.status === 'succeeded').length;
  out.push(`${s.bold(`run ${v.run.id}`)}  ${colourStatus(s, v.state)}`);
  out.push(`goal     ${v.run.goal.replace(/\s*\n\s*/g, ' ')}`);
  out.push(`created  ${v.run.createdAt}, updated ${v.run.updatedAt}`);
  out.push(
    `tasks    ${done} of ${v.tasks.length} done, ${v.merged.length} merged; ${formatInt(v.usage.totalTokens)} tokens, ${formatUsd(v.usage.costUsd)} so far`,
  );
  if (v.waves.length) {
    const waves = v.waves.map(
      (w) =>
        `${w.wave} ${w.finished ? `finished (${w.merged.length} merged${w.failed.length ? `, ${w.failed.length} failed` : ''})` : 'in progress'}`,
    );
    out.push(`waves    ${waves.join('; ')}`);
  }
  if (v.budgetExceeded)
    out.push(
      `budget   stopped at ${formatUsd(v.budgetExceeded.spentUsd)} of ${formatUsd(v.budgetExceeded.budgetUsd)} (--budget-usd)`,
    );
  if (v.tasks.length) {
    out.push('');
    const rows = [
      ['TASK', 'AGENT', 'WAVE', 'STATUS', 'ATTEMPTS', 'TOKENS', 'COST', 'BRANCH'],
      ...v.tasks.map((t) => [
        t.id,
        t.agent,
        t.wave === null ? '-' : String(t.wave),
        t.status,
        String(t.attempts),
        formatInt(t.totalTokens),
        formatUsd(t.costUsd),
        t.branch ?? '-',
      ]),
    ];
    out.push(
      ...columns(rows, (c, col, row) => (row === 0 ? s.dim(c) : col === 3 ? colourStatus(s, c) : c)).map(
        (l) => `  ${l}`,
      ),
    );
    const reasons = v.tasks.filter((t) => t.reason && t.status !== 'merged' && t.status !== 'succeeded');
    if (reasons.length) {
      out.push('');
      for (const t of reasons) out.push(`  ${t.id}: ${t.reason}`);
    }
  }
  out.push('');
  if (v.openFixes.length === 0) out.push('open fixes: none');
  else {
    out.push(`open fixes: ${v.openFixes.length}`);
    for (const f of v.openFixes) out.push(`  #${f.id} for ${f.ownerTask} (${f.status}): ${f.description}`);
  }
  if (v.state === 'running or interrupted')
    out.push(
      `The run is marked running; if its process is gone (killed, crashed), continue it with: ${v.resume ?? ''}`,
    );
  else if (v.resume) {
    const what = v.state === 'planning' ? 'Planned, not started; start it with' : 'Continue it with';
    out.push(`${what}: ${s.bold(v.resume)}`);
  }
  return `${out.join('\n')}\n`;
}

/** `orchestra runs` as a table fitted to `width` columns (the goal is cut to fit). */
export function renderRuns(runs: readonly RunListRow[], width = 100, s: TerminalStyle = PLAIN_STYLE): string {
  const rows = [
    ['ID', 'CREATED', 'STATUS', 'TASKS', 'COST', 'GOAL'],
    ...runs.map((r) => [
      r.id,
      r.createdAt.slice(0, 16).replace('T', ' '),
      r.status,
      `${r.done}/${r.total}`,
      formatUsd(r.costUsd),
      r.goal,
    ]),
  ];
  // Width of every column but the goal, to cut the goal so a line fits the terminal.
  const fixed = [0, 1, 2, 3, 4].reduce(
    (sum, i) => sum + Math.max(...rows.map((r) => [...(r[i] ?? '')].length)) + 2,
    0,
  );
  const goalWidth = Math.max(12, width - fixed);
  for (const r of rows) r[5] = clip(r[5] ?? '', goalWidth);
  return `${columns(rows, (c, col, row) => (row === 0 ? s.dim(c) : col === 2 ? colourStatus(s, c) : c)).join('\n')}\n`;
}
