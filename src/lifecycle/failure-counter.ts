import type { Verdict } from './verdict.js';

/** Consecutive failures so far and what they were. */
export interface FailureStreak {
  count: number;
  failures: string[];
}

/** Counts consecutive failures (tool errors, success criteria failing); any success resets the streak. */
export interface FailureCounter {
  /** Record one failure; terminates when the streak reaches the limit. */
  recordFailure(what: string): Verdict;
  /** A success ends the streak. */
  recordSuccess(): void;
  streak(): FailureStreak;
}

/** A failure counter terminating at `limit` consecutive failures (the article's "three strikes"). */
export function createFailureCounter(settings: { limit: number }): FailureCounter {
  let failures: string[] = [];
  return {
    recordFailure(what) {
      failures.push(what);
      const count = failures.length;
      if (count >= settings.limit) {
        const last = failures.slice(-settings.limit);
        return {
          action: 'terminate',
          reason: 'failures',
          detail: `${count} consecutive failures (limit ${settings.limit}): ${last.join('; ')}`,
          evidence: { kind: 'failures', count, failures: last },
        };
      }
      return { action: 'continue', detail: `${count} consecutive failure(s) of ${settings.limit} allowed` };
    },
    recordSuccess() {
      failures = [];
    },
    streak: () => ({ count: failures.length, failures: [...failures] }),
  };
}
