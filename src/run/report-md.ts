import { formatDuration, formatInt, formatPacketRatio, formatPercent, formatUsd } from './report-format.js';
import type { LayerReport, RunReport, TokenFigures } from './report-types.js';

const LAYER_NAMES: Record<LayerReport['layer'], string> = {
  orchestrator: 'orchestrator',
  specialist: 'specialists',
  validation: 'validation',
};

/** A markdown table cell: pipes escaped, one line. */
function cell(text: string): string {
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replace(/\s*\n\s*/g, ' ');
}

/** A markdown table with padded, aligned columns (readable as plain text in a terminal too). */
function table(head: string[], align: Array<'l' | 'r'>, rows: string[][]): string[] {
  const body = rows.map((r) => r.map(cell));
  const len = (t: string) => [...t].length;
  const widths = head.map((h, i) => Math.max(3, len(h), ...body.map((r) => len(r[i] ?? ''))));
  const pad = (t: string, i: number) => {
    const fill = ' '.repeat((widths[i] ?? 0) - len(t));
    return align[i] === 'r' ? `${fill}${t}` : `${t}${fill}`;
  };
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
  return [line(head), `| ${rule.join(' | ')} |`, ...body.map(line)];
}

const tokenCells = (t: TokenFigures) => [
  formatInt(t.inputTokens),
  formatInt(t.cacheCreationInputTokens),
  formatInt(t.cacheReadInputTokens),
  formatInt(t.outputTokens),
  formatInt(t.totalTokens),
  formatUsd(t.costUsd),
];

/** One line on what was merged out of how many tasks. */
export function mergedLine(r: RunReport): string {
  return `${r.merged.length} of ${r.tasks.length} task${r.tasks.length === 1 ? '' : 's'} merged`;
}

/** The report as Markdown (what `orchestra report` prints by default). */
export function renderReportMd(r: RunReport): string {
  const out: string[] = [
    `# Orchestra report: run ${r.run.id}`,
    '',
    `- Goal: ${r.run.goal.replace(/\s*\n\s*/g, ' ')}`,
    `- Status: ${r.run.status}; ${mergedLine(r)}`,
    ...(r.run.reason ? [`- Why: ${r.run.reason}`] : []),
    `- Time: ${formatDuration(r.run.timeMs)} (created ${r.run.createdAt})`,
    ...(r.run.sandbox ? [`- Sandbox: ${r.run.sandbox}`] : []),
  ];
  if (r.budgetExceeded)
    out.push(
      `- Budget: stopped at ${formatUsd(r.budgetExceeded.spentUsd)} of ${formatUsd(r.budgetExceeded.budgetUsd)}; resume with \`orchestra run --resume ${r.run.id}\``,
    );
  out.push('', '## Tokens and cost by layer', '');
  out.push(
    ...table(
      ['layer', 'input', 'cache write', 'cache read', 'output', 'total', 'cost', 'time'],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      [
        ...r.layers.map((l) => [LAYER_NAMES[l.layer], ...tokenCells(l), formatDuration(l.timeMs)]),
        ['total', ...tokenCells(r.total), formatDuration(r.total.timeMs)],
      ],
    ),
  );
  out.push('');
  out.push(
    r.tokensPerMergedTask === null
      ? '- Tokens per merged task: — (no task merged)'
      : `- Tokens per merged task: ${formatInt(r.tokensPerMergedTask)} (${formatUsd(r.costPerMergedTask ?? 0)} per merged task)`,
  );
  out.push(
    r.context.tasks === 0
      ? '- Context packets vs full context: not measured'
      : `- Context packets vs full context: ${formatPacketRatio(r.context.packetTokens, r.context.fullContextTokens)}, over ${r.context.tasks} task${r.context.tasks === 1 ? '' : 's'}`,
  );
  if (r.baseline) {
    const b = r.baseline;
    out.push('', '## Orchestrated vs single agent', '');
    out.push(
      ...table(
        ['', 'orchestrated', 'single agent'],
        ['l', 'r', 'r'],
        [
          ['tokens', formatInt(r.total.totalTokens), formatInt(b.usage.totalTokens)],
          ['cost', formatUsd(r.total.costUsd), formatUsd(b.usage.costUsd)],
          ['time', formatDuration(r.total.timeMs), formatDuration(b.timeMs)],
          ['result', `${r.run.status}, ${mergedLine(r)}`, b.result ?? '—'],
        ],
      ),
    );
    if (b.usage.totalTokens > 0)
      out.push(
        '',
        `The orchestra used ${formatPercent(r.total.totalTokens, b.usage.totalTokens)} of the single agent's tokens.`,
      );
  }
  out.push('', '## Tasks', '');
  if (r.tasks.length === 0) out.push('(no tasks)');
  else {
    out.push(
      ...table(
        ['task', 'agent', 'wave', 'status', 'attempts', 'time', 'packet vs full context'],
        ['l', 'l', 'r', 'l', 'r', 'r', 'l'],
        r.tasks.map((t) => [
          t.id,
          t.agent,
          t.wave === null ? '—' : String(t.wave),
          t.status,
          String(t.attempts),
          formatDuration(t.timeMs),
          t.packet ? formatPacketRatio(t.packet.tokens, t.packet.fullContextTokens) : '—',
        ]),
      ),
    );
    const prepared = r.tasks.filter((t) => t.setup !== null);
    if (prepared.length > 0) {
      out.push('', '### Worktree setup', '');
      out.push(
        ...table(
          ['task', 'setup', 'time', 'starts from'],
          ['l', 'l', 'r', 'l'],
          prepared.map((t) => [t.id, ...setupCells(t)]),
        ),
      );
    }
    out.push('', '### Tokens and cost by task', '');
    out.push(
      ...table(
        ['task', 'input', 'cache write', 'cache read', 'output', 'total', 'cost'],
        ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
        r.tasks.map((t) => [t.id, ...tokenCells(t.usage)]),
      ),
    );
  }
  const stops = r.tasks.flatMap((t) =>
    t.attemptLog
      .filter((a) => a.outcome === 'failed' || a.outcome === 'terminated')
      .map(
        (a) =>
          `- ${t.id}, attempt ${a.attempt}: ${a.outcome}${a.reason ? ` (${a.reason}${a.detail ? `: ${a.detail}` : ''})` : ''}`,
      ),
  );
  if (stops.length) out.push('', '### Attempts stopped or failed', '', ...stops);
  if (r.waves.length) {
    out.push('', '## Waves', '');
    out.push(
      ...table(
        ['wave', 'tasks', 'estimated / budget', 'time', 'merged', 'failed'],
        ['r', 'l', 'r', 'r', 'l', 'l'],
        r.waves.map((w) => [
          String(w.wave),
          w.tasks.join(', '),
          `${formatInt(w.estimatedTokens)} / ${formatInt(w.budget)}`,
          formatDuration(w.timeMs),
          w.merged.join(', ') || '—',
          w.failed.join(', ') || '—',
        ]),
      ),
    );
  }
  out.push('', `## Conflicts (${r.conflicts.length})`, '');
  if (r.conflicts.length === 0) out.push('None.');
  for (const c of r.conflicts)
    out.push(
      `- #${c.id} ${c.kind}: ${c.tasks.join(', ')}${c.files.length ? ` — ${c.files.join(', ')}` : ''}${c.detail ? ` — ${c.detail}` : ''}`,
    );
  if (r.base && r.base.failing.length > 0) {
    out.push('', `## Already failing on the base (${r.base.failing.length})`, '');
    out.push(
      `Checked on ${r.base.commit.slice(0, 12)} with TypeScript ${r.base.typescript} before the first wave; never sent to a task.`,
      '',
    );
    for (const f of r.base.failing) out.push(`- ${f}`);
  }
  if (r.base && r.base.sent.length > 0) {
    out.push('', `## Failing on the base, and differently after the merges (${r.base.sent.length})`, '');
    out.push('Sent as fixes (see Fixes):', '');
    for (const f of r.base.sent) out.push(`- ${f.failing} — fix ${f.fixIds.map((i) => `#${i}`).join(', ')}`);
  }
  out.push('', `## Fixes (${r.fixes.length}, ${r.fixRounds} round${r.fixRounds === 1 ? '' : 's'})`, '');
  if (r.fixes.length === 0) out.push('None.');
  for (const line of fixLines(r.fixes)) out.push(`- ${line}`);
  for (const e of r.escalations)
    out.push(
      `- escalated to ${e.to}: ${e.owner} could not act on fix ${e.fixIds.map((i) => `#${i}`).join(', ')}: ${e.reason}`,
    );
  if (r.findings.length) {
    out.push('', `## Validation findings (${r.findings.length})`, '');
    for (const f of r.findings)
      out.push(
        `- ${f.severity} ${f.kind}${f.taskId ? ` (${f.taskId})` : ''}: ${f.message}${f.count > 1 ? ` (in ${f.count} validations)` : ''}`,
      );
  }
  return `${out.join('\n')}\n`;
}

/** The setup cells of a task: what made its worktree ready, how long it took, what it started from. */
export function setupCells(t: RunReport['tasks'][number]): [string, string, string] {
  const s = t.setup;
  if (!s) return ['—', '—', '—'];
  const what =
    s.kind === 'command'
      ? `${(s.command ?? []).join(' ')}${s.ok ? '' : ' (failed)'}`
      : s.kind === 'copied'
        ? "copied the checkout's node_modules"
        : s.kind === 'linked'
          ? "linked the checkout's node_modules"
          : 'nothing to install';
  return [what, formatDuration(s.ms), s.dependencies.length ? `base + ${s.dependencies.join(', ')}` : 'base'];
}

/**
 * One line per distinct fix: the same finding sent to the same owner in several rounds is listed
 * once, with each send's number, status and round (`#1, #2 for api (resolved, round 1; escalated,
 * round 2, from criterion): …`).
 */
export function fixLines(fixes: RunReport['fixes']): string[] {
  const groups = new Map<string, RunReport['fixes']>();
  for (const f of fixes) {
    const key = JSON.stringify([f.ownerTask, f.source, f.description]);
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()].map((sends) => {
    const first = sends[0] as RunReport['fixes'][number];
    const states = sends.map((f) => `${f.status}${f.round !== null ? `, round ${f.round}` : ''}`).join('; ');
    return `${sends.map((f) => `#${f.id}`).join(', ')} for ${first.ownerTask} (${states}${first.source ? `, from ${first.source}` : ''}): ${first.description}`;
  });
}
