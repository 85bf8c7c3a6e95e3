import { canonicalJson } from './canonical-json.js';
import { truncate } from './text.js';
import type { Verdict } from './verdict.js';

/**
 * Detects the same tool call with the same input (canonical JSON, key order independent) made
 * `limit` times while the workspace did not change. Progress resets the counts: running the same
 * test command after each edit is healthy; running it again and again on unchanged files is a loop.
 */
export interface RepeatedToolCallDetector {
  record(tool: string, input: unknown): Verdict | null;
  /** The workspace changed: earlier identical calls no longer count. */
  reset(): void;
  /** The highest count of any identical call since the last reset. */
  maxCount(): number;
}

/** A detector terminating at `limit` identical calls. */
export function createRepeatedToolCallDetector(settings: { limit: number }): RepeatedToolCallDetector {
  const counts = new Map<string, number>();
  return {
    record(tool, input) {
      const text = canonicalJson(input ?? null);
      const key = `${tool}\u0000${text}`;
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      if (count < settings.limit) return null;
      return {
        action: 'terminate',
        reason: 'loop',
        detail: `${tool} was called ${count} times with the same input ${truncate(text, 160)} while no file changed`,
        evidence: { kind: 'repeated-tool-call', tool, input: text, count },
      };
    },
    reset() {
      counts.clear();
    },
    maxCount: () => Math.max(0, ...counts.values()),
  };
}
