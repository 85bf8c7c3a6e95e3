import type { LifecycleConfig } from '../config/index.js';

/**
 * The thresholds the monitor applies: the `lifecycle` section of `orchestra.config.json`
 * (`config.lifecycle` can be passed as is; extra keys such as `maxAttempts` are ignored here).
 * `loopRepeat` is the number of identical tool calls (same tool, same input) that count as a loop.
 */
export type LifecycleThresholds = Pick<
  LifecycleConfig,
  'continueBelow' | 'terminateAt' | 'maxConsecutiveFailures' | 'loopRepeat'
>;

/** The article's defaults: continue below 70% context, terminate at 85%, three strikes. */
export const DEFAULT_THRESHOLDS: Readonly<LifecycleThresholds> = Object.freeze({
  continueBelow: 0.7,
  terminateAt: 0.85,
  maxConsecutiveFailures: 3,
  loopRepeat: 3,
});

/** Fill missing thresholds with the defaults; rejects values that would make a rule meaningless. */
export function resolveThresholds(partial: Partial<LifecycleThresholds> = {}): LifecycleThresholds {
  const t = { ...DEFAULT_THRESHOLDS, ...stripUndefined(partial) };
  if (!(t.continueBelow > 0 && t.continueBelow <= t.terminateAt && t.terminateAt <= 1)) {
    throw new RangeError(
      `lifecycle thresholds need 0 < continueBelow <= terminateAt <= 1 (got ${t.continueBelow}, ${t.terminateAt})`,
    );
  }
  if (!(Number.isInteger(t.maxConsecutiveFailures) && t.maxConsecutiveFailures >= 1)) {
    throw new RangeError(
      `maxConsecutiveFailures must be a positive integer (got ${t.maxConsecutiveFailures})`,
    );
  }
  if (!(Number.isInteger(t.loopRepeat) && t.loopRepeat >= 2)) {
    throw new RangeError(`loopRepeat must be an integer of at least 2 (got ${t.loopRepeat})`);
  }
  return t;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
