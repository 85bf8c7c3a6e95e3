import type { StoredEvent } from '../hub/index.js';
import type { ProgressState } from './progress-state.js';
import {
  formatDuration,
  formatInt,
  formatPacketRatio,
  formatPercent,
  formatUsd,
  msBetween,
} from './report-format.js';

/** Events that matter while a run is watched; the rest (tool calls, usage, leases) stay in the hub. */
export const NOTABLE = new Set<StoredEvent['type']>([
  'task.failed',
  'task.terminated',
  'tool.denied',
  'validation.finding',
  'fix.created',
  'fix.round',
  'fix.escalated',
  'validation.base',
  'validation.criterion',
  'conflict',
  'change.requested',
  'budget.exceeded',
  'run.finished',
]);

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');

/**
 * The plain line of an event, read after the event was folded into `state` (for the task's wave,
 * agent and tokens); null for events not worth a line. Times come from the events, not the clock.
 */
export function plainLine(state: ProgressState, e: StoredEvent): string | null {
  const t = e.taskId === null ? undefined : state.tasks.get(e.taskId);
  const at = t?.wave === null || t?.wave === undefined ? '' : `[wave ${t.wave}] `;
  const who = `${at}${e.taskId ?? ''}`;
  switch (e.type) {
    case 'run.started':
      return `run ${e.runId} started: ${oneLine(e.goal)}`;
    case 'run.finished':
      return `run ${e.runId} ${e.status}${e.reason ? `: ${oneLine(e.reason)}` : ''}`;
    case 'wave.started':
      return `[wave ${e.wave}] started: ${e.tasks.join(', ')} (${formatInt(e.estimatedTokens)} of ${formatInt(e.budget)} tokens budgeted, ${formatPercent(e.estimatedTokens, e.budget)})`;
    case 'wave.finished':
      return `[wave ${e.wave}] finished: ${e.merged.length} merged${e.failed.length ? `, ${e.failed.length} failed (${e.failed.join(', ')})` : ''}`;
    case 'task.started':
      return `${who} started (${e.agent}${e.attempt > 1 ? `, attempt ${e.attempt}` : ''})`;
    case 'task.finished':
      return `${who} finished (${formatInt(t?.tokens ?? 0)} tokens, ${formatDuration(msBetween(t?.startedAt ?? undefined, e.at))})`;
    case 'task.failed':
      return `${who} failed: ${oneLine(e.reason)}`;
    case 'task.terminated':
      return `${who} terminated (attempt ${e.attempt}): ${e.reason}${e.detail ? `: ${oneLine(e.detail)}` : ''}`;
    case 'packet.built':
      return `${who} packet ${formatPacketRatio(e.tokens, e.fullContextTokens ?? null)}`;
    case 'handoff':
      return `${who} handed off: ${e.from} → ${e.to}`;
    case 'tool.denied':
      return `${who} denied ${e.tool}${e.path ? ` ${e.path}` : ''}: ${oneLine(e.reason)}`;
    case 'merge':
      return e.ok
        ? `${who} merged (${e.branch}${e.commit ? ` at ${e.commit.slice(0, 10)}` : ''})`
        : `${who} merge failed (${e.branch})`;
    case 'validation.finding':
      return `finding ${e.severity} ${e.kind}${e.taskId ? ` (${e.taskId})` : ''}: ${oneLine(e.message)}`;
    case 'fix.created':
      return `fix #${e.fixId} for ${e.owner} (round ${e.round}): ${oneLine(e.description)}`;
    case 'fix.round':
      return `fix round ${e.round}: ${e.fixes} fix task${e.fixes === 1 ? '' : 's'} to ${e.owners.join(', ') || '(no owner in the plan)'}`;
    case 'fix.escalated':
      return `fix escalated to ${e.to}: ${e.owner} could not act on it: ${oneLine(e.reason)}`;
    case 'validation.base':
      return `base ${e.base.slice(0, 10)} checked (TypeScript ${e.typescript}): ${e.typeErrors} type error${e.typeErrors === 1 ? '' : 's'}, ${e.criteria} criteri${e.criteria === 1 ? 'on' : 'a'} already failing; not sent to a task while they fail the same way`;
    case 'validation.criterion':
      return `criterion \`${e.command}\` (${e.tasks.join(', ')}) ${e.timedOut ? 'timed out' : e.exitCode === 0 ? 'passed' : `failed (exit ${e.exitCode ?? 'error'})`}${e.cached ? ', same tree: not run again' : ` in ${formatDuration(e.durationMs)}`}`;
    case 'conflict':
      return `conflict between ${e.tasks.join(', ')}${e.files.length ? `: ${e.files.join(', ')}` : ''}${e.detail ? ` (${oneLine(e.detail)})` : ''}`;
    case 'change.requested':
      return `change requested by ${e.by} from ${e.owner} on ${e.target}: ${oneLine(e.description)}`;
    case 'contract.updated':
      return `contract ${e.contractId} updated to v${e.version}${e.taskId ? ` by ${e.taskId}` : ''}`;
    case 'budget.exceeded':
      return `budget reached: ${formatUsd(e.spentUsd)} spent of ${formatUsd(e.budgetUsd)}; the run stops cleanly (orchestra run --resume ${e.runId} continues it)`;
    case 'api.retry':
      return `${who ? `${who} ` : ''}API error${e.status === null ? '' : ` ${e.status}`}, retry ${e.attempt}`;
    case 'note':
      return `note: ${oneLine(e.text)}`;
    default:
      return null;
  }
}
