import type { Usage } from '../domain/index.js';
import { type ContextWindowSetting, resolveContextWindow } from './context-window.js';
import type { LifecycleThresholds } from './thresholds.js';
import type { Verdict } from './verdict.js';

/** Tokens of context a turn used: everything sent to the model, cached or not. */
export function contextTokens(usage: Usage): number {
  return usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
}

/** Settings of the context rule. */
export interface ContextRuleSettings {
  thresholds: Pick<LifecycleThresholds, 'continueBelow' | 'terminateAt'>;
  contextWindow?: ContextWindowSetting;
  /** Model assumed when a usage event names none. */
  model?: string;
}

/**
 * Verdict of the context rule for one turn: continue below `continueBelow`, warn from it, terminate
 * at `terminateAt` or above. Ratios are compared as computed (tokens ÷ window), so 140000/200000 is
 * exactly 0.7.
 */
export function contextVerdict(
  usage: Usage,
  model: string | undefined,
  settings: ContextRuleSettings,
): Verdict {
  const m = model ?? settings.model;
  const window = resolveContextWindow(settings.contextWindow, m);
  const tokens = contextTokens(usage);
  const ratio = tokens / window;
  const evidence = { kind: 'context' as const, tokens, window, ratio };
  const figures = `${tokens} of ${window} tokens (${percent(ratio)})`;
  const { continueBelow, terminateAt } = settings.thresholds;
  if (ratio >= terminateAt) {
    return {
      action: 'terminate',
      reason: 'context',
      detail: `context use ${figures} reached the ${percent(terminateAt)} limit`,
      evidence,
    };
  }
  if (ratio >= continueBelow) {
    return {
      action: 'warn',
      reason: 'context',
      detail: `context use ${figures} is at or above ${percent(continueBelow)}`,
      evidence,
    };
  }
  return { action: 'continue', detail: `context use ${figures}`, evidence };
}

/** 0.8512 → "85.1%". Rounds down so a ratio just under a threshold never prints as the threshold. */
export function percent(ratio: number): string {
  // The epsilon absorbs binary noise such as 0.58 * 1000 = 579.9999999999999.
  return `${Math.floor(ratio * 1000 + 1e-9) / 10}%`;
}
