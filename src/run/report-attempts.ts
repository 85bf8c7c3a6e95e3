import type { StoredEvent } from '../hub/index.js';
import { msBetween } from './report-format.js';
import type { AttemptRow } from './report-types.js';

/** A task's attempts and their summed time, read from its events in log order. */
export interface AttemptTiming {
  attempts: AttemptRow[];
  /** Sum of the closed attempts' durations; null when no attempt closed. */
  timeMs: number | null;
  /** When the running attempt started, if one is open. */
  runningSince: string | null;
}

/**
 * Pair each task.started with the next end event (finished, failed or terminated) of the task. A
 * terminated attempt followed by the task's final `task.failed` is one attempt, not two; a failure
 * without a start (a refused lease) is an attempt with no time.
 */
export function attemptTiming(events: readonly StoredEvent[]): AttemptTiming {
  const attempts: AttemptRow[] = [];
  let open: { row: AttemptRow; at: string } | null = null;
  let timeMs: number | null = null;
  for (const e of events) {
    if (e.type === 'task.started') {
      const row: AttemptRow = {
        attempt: e.attempt,
        outcome: 'running',
        reason: null,
        detail: null,
        timeMs: null,
      };
      attempts.push(row);
      open = { row, at: e.at };
      continue;
    }
    if (e.type !== 'task.finished' && e.type !== 'task.failed' && e.type !== 'task.terminated') continue;
    const outcome =
      e.type === 'task.finished' ? 'finished' : e.type === 'task.failed' ? 'failed' : 'terminated';
    const reason = e.type === 'task.finished' ? null : e.reason;
    const detail = e.type === 'task.terminated' ? (e.detail ?? null) : null;
    if (open) {
      open.row.outcome = outcome;
      open.row.reason = reason;
      open.row.detail = detail;
      open.row.timeMs = msBetween(open.at, e.at);
      if (open.row.timeMs !== null) timeMs = (timeMs ?? 0) + open.row.timeMs;
      open = null;
    } else if (attempts.at(-1)?.outcome !== 'terminated') {
      // After a terminated attempt, the task's closing `task.failed` summarizes it: not a new attempt.
      attempts.push({ attempt: e.attempt, outcome, reason, detail, timeMs: null });
    }
  }
  return { attempts, timeMs, runningSince: open?.at ?? null };
}
