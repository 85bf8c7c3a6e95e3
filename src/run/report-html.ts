import { formatDuration, formatInt, formatPacketRatio, formatPercent, formatUsd } from './report-format.js';
import { fixLines, mergedLine, setupCells } from './report-md.js';
import type { RunReport, TokenFigures } from './report-types.js';

/** Escape text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}
.ok{color:#17702a}.bad{color:#b3261e}code{background:#f3f3f3;padding:0 .2em}`;

type Cell = string | { text: string; num?: boolean; cls?: string };

function row(cells: Cell[], tag: 'td' | 'th' = 'td'): string {
  return `<tr>${cells
    .map((c) => {
      const x = typeof c === 'string' ? { text: c } : c;
      const cls = [x.num ? 'n' : '', x.cls ?? ''].filter(Boolean).join(' ');
      return `<${tag}${cls ? ` class="${cls}"` : ''}>${escapeHtml(x.text)}</${tag}>`;
    })
    .join('')}</tr>`;
}

function table(head: Cell[], rows: Cell[][]): string {
  return `<table>${row(head, 'th')}${rows.map((r) => row(r)).join('')}</table>`;
}

const n = (text: string): Cell => ({ text, num: true });
const tokenCells = (t: TokenFigures): Cell[] => [
  n(formatInt(t.inputTokens)),
  n(formatInt(t.cacheCreationInputTokens)),
  n(formatInt(t.cacheReadInputTokens)),
  n(formatInt(t.outputTokens)),
  n(formatInt(t.totalTokens)),
  n(formatUsd(t.costUsd)),
];
const status = (s: string): Cell => ({
  text: s,
  cls: s === 'merged' || s === 'succeeded' ? 'ok' : s === 'failed' || s === 'terminated' ? 'bad' : '',
});
const list = (items: string[]) =>
  items.length ? `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : '<p>None.</p>';

/** The report as one self-contained HTML page (inline CSS, no scripts, every value escaped). */
export function renderReportHtml(r: RunReport): string {
  const h: string[] = [];
  h.push(`<h1>Orchestra report: run ${escapeHtml(r.run.id)}</h1>`);
  h.push(
    list([
      `Goal: ${r.run.goal}`,
      `Status: ${r.run.status}; ${mergedLine(r)}`,
      ...(r.run.reason ? [`Why: ${r.run.reason}`] : []),
      `Time: ${formatDuration(r.run.timeMs)} (created ${r.run.createdAt})`,
      ...(r.budgetExceeded
        ? [
            `Budget: stopped at ${formatUsd(r.budgetExceeded.spentUsd)} of ${formatUsd(r.budgetExceeded.budgetUsd)}`,
          ]
        : []),
    ]),
  );
  h.push('<h2>Tokens and cost by layer</h2>');
  h.push(
    table(
      ['layer', n('input'), n('cache write'), n('cache read'), n('output'), n('total'), n('cost'), n('time')],
      [
        ...r.layers.map((l) => [l.layer, ...tokenCells(l), n(formatDuration(l.timeMs))]),
        ['total', ...tokenCells(r.total), n(formatDuration(r.total.timeMs))],
      ],
    ),
  );
  h.push(
    list([
      r.tokensPerMergedTask === null
        ? 'Tokens per merged task: — (no task merged)'
        : `Tokens per merged task: ${formatInt(r.tokensPerMergedTask)} (${formatUsd(r.costPerMergedTask ?? 0)} per merged task)`,
      r.context.tasks === 0
        ? 'Context packets vs full context: not measured'
        : `Context packets vs full context: ${formatPacketRatio(r.context.packetTokens, r.context.fullContextTokens)}, over ${r.context.tasks} tasks`,
    ]),
  );
  if (r.baseline) {
    const b = r.baseline;
    h.push('<h2>Orchestrated vs single agent</h2>');
    h.push(
      table(
        ['', n('orchestrated'), n('single agent')],
        [
          ['tokens', n(formatInt(r.total.totalTokens)), n(formatInt(b.usage.totalTokens))],
          ['cost', n(formatUsd(r.total.costUsd)), n(formatUsd(b.usage.costUsd))],
          ['time', n(formatDuration(r.total.timeMs)), n(formatDuration(b.timeMs))],
          ['result', n(`${r.run.status}, ${mergedLine(r)}`), n(b.result ?? '—')],
        ],
      ),
    );
    if (b.usage.totalTokens > 0)
      h.push(
        `<p>The orchestra used ${escapeHtml(formatPercent(r.total.totalTokens, b.usage.totalTokens))} of the single agent's tokens.</p>`,
      );
  }
  h.push('<h2>Tasks</h2>');
  h.push(
    table(
      ['task', 'agent', n('wave'), 'status', n('attempts'), n('time'), 'packet vs full context'],
      r.tasks.map((t) => [
        t.id,
        t.agent,
        n(t.wave === null ? '—' : String(t.wave)),
        status(t.status),
        n(String(t.attempts)),
        n(formatDuration(t.timeMs)),
        t.packet ? formatPacketRatio(t.packet.tokens, t.packet.fullContextTokens) : '—',
      ]),
    ),
  );
  const prepared = r.tasks.filter((t) => t.setup !== null);
  if (prepared.length > 0) {
    h.push('<h3>Worktree setup</h3>');
    h.push(
      table(
        ['task', 'setup', n('time'), 'starts from'],
        prepared.map((t) => {
          const [what, time, from] = setupCells(t);
          return [t.id, what, n(time), from];
        }),
      ),
    );
  }
  h.push('<h3>Tokens and cost by task</h3>');
  h.push(
    table(
      ['task', n('input'), n('cache write'), n('cache read'), n('output'), n('total'), n('cost')],
      r.tasks.map((t) => [t.id, ...tokenCells(t.usage)]),
    ),
  );
  const stops = r.tasks.flatMap((t) =>
    t.attemptLog
      .filter((a) => a.outcome === 'failed' || a.outcome === 'terminated')
      .map(
        (a) =>
          `${t.id}, attempt ${a.attempt}: ${a.outcome}${a.reason ? ` (${a.reason}${a.detail ? `: ${a.detail}` : ''})` : ''}`,
      ),
  );
  if (stops.length) h.push('<h3>Attempts stopped or failed</h3>', list(stops));
  if (r.waves.length) {
    h.push('<h2>Waves</h2>');
    h.push(
      table(
        [n('wave'), 'tasks', n('estimated / budget'), n('time'), 'merged', 'failed'],
        r.waves.map((w) => [
          n(String(w.wave)),
          w.tasks.join(', '),
          n(`${formatInt(w.estimatedTokens)} / ${formatInt(w.budget)}`),
          n(formatDuration(w.timeMs)),
          w.merged.join(', ') || '—',
          w.failed.join(', ') || '—',
        ]),
      ),
    );
  }
  h.push(`<h2>Conflicts (${r.conflicts.length})</h2>`);
  h.push(
    list(
      r.conflicts.map(
        (c) =>
          `#${c.id} ${c.kind}: ${c.tasks.join(', ')}${c.files.length ? ` — ${c.files.join(', ')}` : ''}${c.detail ? ` — ${c.detail}` : ''}`,
      ),
    ),
  );
  if (r.base && r.base.failing.length > 0) {
    h.push(`<h2>Already failing on the base (${r.base.failing.length})</h2>`);
    h.push(list(r.base.failing));
  }
  if (r.base && r.base.sent.length > 0) {
    h.push(`<h2>Failing on the base, and differently after the merges (${r.base.sent.length})</h2>`);
    h.push(list(r.base.sent.map((f) => `${f.failing} — fix ${f.fixIds.map((i) => `#${i}`).join(', ')}`)));
  }
  h.push(`<h2>Fixes (${r.fixes.length}, ${r.fixRounds} round${r.fixRounds === 1 ? '' : 's'})</h2>`);
  h.push(
    list([
      ...fixLines(r.fixes),
      ...r.escalations.map(
        (e) =>
          `escalated to ${e.to}: ${e.owner} could not act on fix ${e.fixIds.map((i) => `#${i}`).join(', ')}: ${e.reason}`,
      ),
    ]),
  );
  if (r.findings.length) {
    h.push(`<h2>Validation findings (${r.findings.length})</h2>`);
    h.push(
      list(
        r.findings.map(
          (f) =>
            `${f.severity} ${f.kind}${f.taskId ? ` (${f.taskId})` : ''}: ${f.message}${f.count > 1 ? ` (in ${f.count} validations)` : ''}`,
        ),
      ),
    );
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Orchestra report: run ${escapeHtml(r.run.id)}</title>
<style>${STYLE}</style></head>
<body>
${h.join('\n')}
</body></html>
`;
}
