import { clip, columns, type TerminalStyle } from '../terminal/index.js';
import type { ProgressState, ProgressTask, ProgressTaskState } from './progress-state.js';
import { formatClock, formatInt, formatPercent, msBetween } from './report-format.js';

const ICONS: Record<ProgressTaskState, [string, keyof TerminalStyle]> = {
  queued: ['○', 'dim'],
  running: ['●', 'yellow'],
  succeeded: ['✓', 'green'],
  merged: ['✓', 'green'],
  failed: ['✗', 'red'],
  'merge failed': ['✗', 'red'],
  terminated: ['↻', 'yellow'],
};

function elapsed(t: ProgressTask, now: Date): string {
  if (t.startedAt === null) return '-';
  return formatClock(
    msBetween(t.startedAt, t.endedAt ?? (t.state === 'running' ? now.toISOString() : t.startedAt)),
  );
}

/**
 * One frame of the live view: the run, then each wave with its budget in use and its tasks
 * (state, agent, tokens, elapsed time), then what validation found. Every line fits `width`.
 */
export function renderFrame(
  state: ProgressState,
  o: { now: Date; width: number; style: TerminalStyle },
): string[] {
  const { style, width } = o;
  const limit = Math.max(10, width - 1);
  const toWidth = (s: string) => clip(s, limit);
  const lines: string[] = [];
  const runTime = state.startedAt ? formatClock(msBetween(state.startedAt, o.now.toISOString())) : '-';
  lines.push(
    style.bold(toWidth(`run ${state.runId ?? '?'}  ${runTime}${state.goal ? `  ${state.goal}` : ''}`)),
  );

  const all = [...state.tasks.values()];
  const rowOf = (t: ProgressTask) => [
    t.id,
    t.agent ?? '',
    t.state === 'running' && t.attempt > 1 ? `running (attempt ${t.attempt})` : t.state,
    `${formatInt(t.tokens)} tok`,
    elapsed(t, o.now),
    t.state === 'failed' || t.state === 'terminated' || t.state === 'merge failed' ? (t.reason ?? '') : '',
  ];
  // One layout for every task, so columns line up across waves.
  const laid = columns(all.map(rowOf));
  const lineOf = new Map(all.map((t, i) => [t.id, laid[i] ?? t.id]));
  const taskLine = (t: ProgressTask) => {
    const [icon, colour] = ICONS[t.state];
    return `  ${style[colour](icon)} ${clip(lineOf.get(t.id) ?? t.id, limit - 4)}`;
  };

  const inWave = new Set<string>();
  for (const w of state.waves) {
    const budget = `${formatInt(w.estimatedTokens)}/${formatInt(w.budget)} tokens budgeted (${formatPercent(w.estimatedTokens, w.budget)})`;
    lines.push(toWidth(`wave ${w.wave}  ${budget}${w.finished ? '  done' : ''}`));
    for (const id of w.tasks) {
      const t = state.tasks.get(id);
      // A task run again in a later wave (a fix round) is shown there, once.
      if (!t || inWave.has(id) || t.wave !== w.wave) continue;
      inWave.add(id);
      lines.push(taskLine(t));
    }
  }
  const loose = all.filter((t) => !inWave.has(t.id));
  if (loose.length) {
    if (state.waves.length) lines.push(toWidth('other tasks'));
    for (const t of loose) lines.push(taskLine(t));
  }
  const found = [
    state.findings ? `${state.findings} finding${state.findings === 1 ? '' : 's'}` : '',
    state.fixes ? `${state.fixes} fix${state.fixes === 1 ? '' : 'es'}` : '',
    state.conflicts ? `${state.conflicts} conflict${state.conflicts === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  if (found.length) lines.push(toWidth(`validation  ${found.join(', ')}`));
  if (state.budgetExceeded)
    lines.push(
      style.yellow(
        toWidth(
          `budget reached: $${state.budgetExceeded.spentUsd.toFixed(4)} of $${state.budgetExceeded.budgetUsd.toFixed(4)}`,
        ),
      ),
    );
  if (state.finished)
    lines.push(
      style.bold(
        toWidth(`run ${state.finished.status}${state.finished.reason ? `: ${state.finished.reason}` : ''}`),
      ),
    );
  return lines;
}
