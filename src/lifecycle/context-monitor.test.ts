import { describe, expect, it } from 'vitest';
import { contextTokens, contextVerdict, percent } from './context-monitor.js';
import { contextWindowFor, resolveContextWindow } from './context-window.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

const usage = (inputTokens: number, cacheCreationInputTokens = 0, cacheReadInputTokens = 0) => ({
  inputTokens,
  outputTokens: 500,
  cacheCreationInputTokens,
  cacheReadInputTokens,
});
const settings = { thresholds: DEFAULT_THRESHOLDS, contextWindow: 200_000 };

describe('context rule', () => {
  it('counts input, cache creation and cache read tokens, not output tokens', () => {
    expect(contextTokens(usage(100, 20, 3))).toBe(123);
  });

  it.each([
    [139_980, 'continue'], // 0.6999
    [140_000, 'warn'], // 0.70 exactly
    [169_999, 'warn'],
    [170_000, 'terminate'], // 0.85 exactly
    [200_000, 'terminate'],
  ])('%i tokens of 200000 → %s', (tokens, action) => {
    expect(contextVerdict(usage(tokens), undefined, settings).action).toBe(action);
  });

  it('splits the tokens across input and caches the same way', () => {
    const v = contextVerdict(usage(10_000, 60_000, 100_000), undefined, settings);
    expect(v).toMatchObject({ action: 'terminate', reason: 'context' });
    expect(v.evidence).toEqual({ kind: 'context', tokens: 170_000, window: 200_000, ratio: 0.85 });
    expect(v.detail).toBe('context use 170000 of 200000 tokens (85%) reached the 85% limit');
  });

  it('names the figures when warning', () => {
    const v = contextVerdict(usage(150_000), undefined, settings);
    expect(v).toMatchObject({ action: 'warn', reason: 'context' });
    expect(v.detail).toBe('context use 150000 of 200000 tokens (75%) is at or above 70%');
  });

  it('uses the model window: 1M for [1m] ids, 200k otherwise', () => {
    expect(contextWindowFor('claude-sonnet-4-5[1m]')).toBe(1_000_000);
    expect(contextWindowFor('sonnet[1m]')).toBe(1_000_000);
    expect(contextWindowFor('claude-opus-4-1')).toBe(200_000);
    expect(contextWindowFor(undefined)).toBe(200_000);
    expect(contextWindowFor('claude-instant-1.2')).toBe(100_000);
    expect(contextWindowFor('mine', [[/^mine$/, 5]])).toBe(5);
    const wide = { thresholds: DEFAULT_THRESHOLDS };
    expect(contextVerdict(usage(170_000), 'claude-sonnet-4-5[1m]', wide).action).toBe('continue');
    expect(contextVerdict(usage(170_000), 'claude-sonnet-4-5', wide).action).toBe('terminate');
  });

  it('takes an injected window table and a fallback model', () => {
    const table = (m: string | undefined) => (m === 'tiny' ? 1000 : 200_000);
    expect(
      contextVerdict(usage(900), undefined, { ...settings, contextWindow: table, model: 'tiny' }).action,
    ).toBe('terminate');
    expect(() => resolveContextWindow(0, undefined)).toThrow(/positive/);
  });

  it('applies configured thresholds', () => {
    const t = { thresholds: { continueBelow: 0.5, terminateAt: 0.6 }, contextWindow: 100 };
    expect(contextVerdict(usage(49), undefined, t).action).toBe('continue');
    expect(contextVerdict(usage(50), undefined, t).action).toBe('warn');
    expect(contextVerdict(usage(60), undefined, t).action).toBe('terminate');
  });

  it('prints percentages without rounding up to a threshold', () => {
    expect(percent(0.6999)).toBe('69.9%');
    expect(percent(0.58)).toBe('58%');
    expect(percent(0.8512)).toBe('85.1%');
  });
});
