import type { EventPayload } from '../domain/index.js';
import { firstLine } from './text.js';
import { describeCall, type ToolCall, toolCategory } from './tool-calls.js';

/** A step that kept failing and never succeeded afterwards. */
export interface UnresolvedFailure {
  label: string;
  count: number;
  lastError: string;
}

/** Debugging reduced to its outcome: one note per final fix, and what is still failing. */
export interface DebuggingOutcome {
  fixes: string[];
  unresolved: UnresolvedFailure[];
}

/**
 * Collapse each run of failed calls of one step (same command, same file edited, same tool input)
 * followed by a success of that step into one note naming the final fix: the files changed between
 * the first failure and the success. Exploration and refused calls are not debugging.
 */
export function collapseDebugging(
  calls: readonly ToolCall[],
  events: readonly EventPayload[],
): DebuggingOutcome {
  const runs = new Map<string, { label: string; failures: ToolCall[] }>();
  const fixes: string[] = [];
  for (const call of calls) {
    const category = toolCategory(call.tool, call.input);
    if (category === 'exploration' || category === 'ignored' || call.denied) continue;
    const { key, label } = describeCall(call.tool, call.input);
    const run = runs.get(key);
    if (call.failed) {
      if (run) run.failures.push(call);
      else runs.set(key, { label, failures: [call] });
      continue;
    }
    if (!run) continue;
    runs.delete(key);
    const first = run.failures[0]!;
    const last = run.failures[run.failures.length - 1]!;
    const files = changedBetween(events, first.index, call.index);
    const after = files.length ? ` after changes to ${files.join(', ')}` : '';
    fixes.push(
      `Fixed: ${run.label} failed ${run.failures.length}× (last error: ${firstLine(last.error ?? '')}), then succeeded${after}.`,
    );
  }
  const unresolved = [...runs.values()].map((r) => ({
    label: r.label,
    count: r.failures.length,
    lastError: firstLine(r.failures[r.failures.length - 1]?.error ?? ''),
  }));
  return { fixes, unresolved };
}

function changedBetween(events: readonly EventPayload[], from: number, to: number): string[] {
  const paths = new Set<string>();
  for (let i = from + 1; i < to; i++) {
    const e = events[i];
    if (e?.type === 'file.changed') paths.add(e.path);
  }
  return [...paths];
}
