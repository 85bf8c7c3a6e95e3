import type { Timers } from '../executor/index.js';

/** Timers that fire only when told: hung detection tested without waiting. */
export interface ManualTimers extends Timers {
  /** Number of timers armed and not cleared. */
  readonly pending: number;
  /** Fire every armed timer now. */
  fireAll(): void;
}

/** Create manual timers (inject as `timers` where an executor or monitor takes them). */
export function manualTimers(): ManualTimers {
  let seq = 0;
  const armed = new Map<number, () => void>();
  return {
    setTimeout: (fn) => {
      const id = ++seq;
      armed.set(id, fn);
      return id;
    },
    clearTimeout: (h) => {
      armed.delete(h as number);
    },
    get pending() {
      return armed.size;
    },
    fireAll: () => {
      const fns = [...armed.values()];
      armed.clear();
      for (const fn of fns) fn();
    },
  };
}
