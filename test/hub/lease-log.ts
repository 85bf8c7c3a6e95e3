import { globOverlap } from '../../src/domain/globs.js';
import type { StoredEvent } from '../../src/hub/index.js';

/** Two holders whose leases overlapped at one point of the log. */
export interface LeaseViolation {
  eventId: number;
  taskId: string;
  pattern: string;
  otherTask: string;
  otherPattern: string;
  path: string;
}

/**
 * Replay lease events in log order (ids are the database's serialization order: each grant and
 * release is logged in the transaction that makes it) and report the first moment two tasks held
 * overlapping patterns. Also returns the most holders seen at once, to show the race was real.
 */
export function replayLeases(events: readonly StoredEvent[]): {
  violation: LeaseViolation | null;
  maxHolders: number;
} {
  const held = new Map<string, Set<string>>();
  let maxHolders = 0;
  for (const e of events) {
    const task = e.taskId ?? '';
    if (e.type === 'lease.acquired') {
      for (const pattern of e.patterns)
        for (const [other, patterns] of held) {
          if (other === task) continue;
          for (const otherPattern of patterns) {
            const path = globOverlap(pattern, otherPattern);
            if (path !== null)
              return {
                violation: { eventId: e.id, taskId: task, pattern, otherTask: other, otherPattern, path },
                maxHolders,
              };
          }
        }
      const mine = held.get(task) ?? new Set<string>();
      for (const p of e.patterns) mine.add(p);
      held.set(task, mine);
      maxHolders = Math.max(maxHolders, held.size);
    } else if (e.type === 'lease.released') {
      const mine = held.get(task);
      for (const p of e.patterns) mine?.delete(p);
      if (mine && mine.size === 0) held.delete(task);
    }
  }
  return { violation: null, maxHolders };
}
