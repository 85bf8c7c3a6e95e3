import type { EventPayload } from '../domain/index.js';
import {
  type CircularModificationSettings,
  createCircularModificationDetector,
  type FileHistory,
} from './circular-modification.js';
import { contextVerdict, percent } from './context-monitor.js';
import type { ContextWindowSetting } from './context-window.js';
import { createFailureCounter, type FailureStreak } from './failure-counter.js';
import { createRepeatedToolCallDetector } from './repeated-tool-call.js';
import { firstLine } from './text.js';
import { type LifecycleThresholds, resolveThresholds } from './thresholds.js';
import { createToolSettlement } from './tool-settlement.js';
import type { Verdict, VerdictEvidence } from './verdict.js';

/** Settings of a lifecycle monitor; everything optional, defaults from the article. */
export interface LifecycleMonitorSettings {
  /** `config.lifecycle`, or any part of it. */
  thresholds?: Partial<LifecycleThresholds>;
  /** A fixed window in tokens, or a function of the model id (default: 200k, 1M for `[1m]` ids). */
  contextWindow?: ContextWindowSetting;
  /** Model assumed when a usage event names none. */
  model?: string;
  /** Content hash of a file before the attempt, so a return to the original content is caught too. */
  baseline?: CircularModificationSettings['baseline'];
  /** Clock, for `terminatedAt`. */
  now?: () => Date;
}

/** A snapshot of what the monitor knows about the attempt. */
export interface LifecycleState {
  eventsObserved: number;
  /** Model turns seen (usage events of distinct messages). */
  turns: number;
  context: Extract<VerdictEvidence, { kind: 'context' }> | null;
  failures: FailureStreak;
  /** Content history of every changed file, oldest first. */
  files: Record<string, FileHistory>;
  /** Tool calls whose outcome is not known yet. */
  pendingToolCalls: number;
  /** The current verdict (sticky once it is `terminate`). */
  verdict: Verdict;
  terminatedAt: string | null;
}

/** Watches one task attempt and answers, after each event, "continue, warn, or terminate, and why". */
export interface LifecycleMonitor {
  /** Feed the next domain event of the attempt (in stream order); returns the verdict after it. */
  observe(event: EventPayload): Verdict;
  /** A success criterion failed after the agent said it was done: counts as one failure. */
  recordCriterionFailure(criterion: string, output?: string): Verdict;
  /** Something succeeded (a criterion passed, a tool result without error): resets the failure streak. */
  recordSuccess(): Verdict;
  /** The verdict as of now. */
  verdict(): Verdict;
  state(): LifecycleState;
}

/**
 * The lifecycle monitor of the article's Pattern 3: context use, consecutive failures, circular
 * modification and repeated identical tool calls. Pure and deterministic: the same events give the
 * same verdicts. The first termination is final and keeps its single reason.
 */
export function createLifecycleMonitor(settings: LifecycleMonitorSettings = {}): LifecycleMonitor {
  const thresholds = resolveThresholds(settings.thresholds);
  const now = settings.now ?? (() => new Date());
  const failures = createFailureCounter({ limit: thresholds.maxConsecutiveFailures });
  const circular = createCircularModificationDetector(
    settings.baseline ? { baseline: settings.baseline } : {},
  );
  const repeated = createRepeatedToolCallDetector({ limit: thresholds.loopRepeat });
  const settlement = createToolSettlement();
  const contextSettings = {
    thresholds,
    ...(settings.contextWindow !== undefined ? { contextWindow: settings.contextWindow } : {}),
    ...(settings.model !== undefined ? { model: settings.model } : {}),
  };

  let eventsObserved = 0;
  let turns = 0;
  let lastMessageId: string | undefined;
  let context: Verdict | null = null;
  let terminated: Verdict | null = null;
  let terminatedAt: string | null = null;
  // A denial is usually also reported as a failed tool result: count the pair once.
  let lastFailure: { tool: string; kind: 'denied' | 'failed' } | null = null;

  const current = (): Verdict => {
    if (terminated) return terminated;
    if (context?.action === 'warn') return context;
    return { action: 'continue', detail: describe() };
  };

  const describe = (): string => {
    const parts: string[] = [];
    const ev = context?.evidence;
    if (ev?.kind === 'context') parts.push(`context ${percent(ev.ratio)} (${ev.tokens}/${ev.window} tokens)`);
    const streak = failures.streak().count;
    if (streak > 0) parts.push(`${streak}/${thresholds.maxConsecutiveFailures} consecutive failures`);
    return parts.length ? parts.join('; ') : 'no lifecycle rule fired';
  };

  const settle = (n: number): void => {
    if (n > 0) failures.recordSuccess();
  };

  const conclude = (verdict: Verdict | null): Verdict => {
    if (!terminated && verdict?.action === 'terminate') {
      terminated = verdict;
      terminatedAt = now().toISOString();
    }
    return current();
  };

  const failure = (tool: string, kind: 'denied' | 'failed', what: string): Verdict | null => {
    if (lastFailure && lastFailure.tool === tool && lastFailure.kind !== kind) {
      lastFailure = null;
      return null;
    }
    lastFailure = { tool, kind };
    return failures.recordFailure(what);
  };

  const apply = (event: EventPayload): Verdict | null => {
    switch (event.type) {
      case 'usage': {
        const fresh = event.messageId === undefined || event.messageId !== lastMessageId;
        if (fresh) {
          turns++;
          lastFailure = null;
          settle(settlement.turn(event.messageId));
        }
        lastMessageId = event.messageId;
        context = contextVerdict(event.usage, event.model, contextSettings);
        return context;
      }
      case 'tool.used': {
        if (settlement.seen(event.toolUseId)) return null;
        lastFailure = null;
        settle(settlement.used(event.tool, event.toolUseId));
        return repeated.record(event.tool, event.input);
      }
      case 'tool.failed': {
        if (!settlement.failed(event.tool, event.toolUseId)) return null;
        return failure(event.tool, 'failed', `${event.tool} failed: ${firstLine(event.error)}`);
      }
      case 'tool.denied': {
        settlement.failed(event.tool, undefined);
        const target = event.path ? ` ${event.path}` : '';
        return failure(event.tool, 'denied', `${event.tool}${target} denied: ${firstLine(event.reason)}`);
      }
      case 'file.changed': {
        const { changed, verdict } = circular.record(event.path, event.sha256);
        if (changed) {
          // A write that landed is a success, and new content is progress for the repeat rule.
          failures.recordSuccess();
          repeated.reset();
        }
        return verdict;
      }
      case 'task.finished':
        settle(settlement.settleAll());
        return null;
      default:
        return null;
    }
  };

  return {
    observe(event) {
      eventsObserved++;
      return conclude(apply(event));
    },
    recordCriterionFailure(criterion, output) {
      const why = output ? `: ${firstLine(output)}` : '';
      return conclude(failures.recordFailure(`success criterion "${criterion}" failed${why}`));
    },
    recordSuccess() {
      failures.recordSuccess();
      return current();
    },
    verdict: current,
    state: () => ({
      eventsObserved,
      turns,
      context: context?.evidence?.kind === 'context' ? { ...context.evidence } : null,
      failures: failures.streak(),
      files: circular.histories(),
      pendingToolCalls: settlement.pending(),
      verdict: current(),
      terminatedAt,
    }),
  };
}
