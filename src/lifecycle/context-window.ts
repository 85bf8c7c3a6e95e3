/** Context window of Claude models unless told otherwise. */
export const DEFAULT_CONTEXT_WINDOW = 200_000;

/** Window of the 1M-token variants (`claude-sonnet-4-5[1m]`, `sonnet[1m]`). */
export const EXTENDED_CONTEXT_WINDOW = 1_000_000;

/** Known windows by model id pattern, first match wins; anything else gets the 200k default. */
export const CONTEXT_WINDOW_TABLE: ReadonlyArray<readonly [RegExp, number]> = [
  [/\[1m\]\s*$/i, EXTENDED_CONTEXT_WINDOW],
  [/^claude-(instant|2\.0)\b/i, 100_000],
];

/** Context window in tokens of a model id or alias; unknown or absent models get the 200k default. */
export function contextWindowFor(
  model: string | undefined,
  table: ReadonlyArray<readonly [RegExp, number]> = CONTEXT_WINDOW_TABLE,
): number {
  if (model) for (const [pattern, window] of table) if (pattern.test(model)) return window;
  return DEFAULT_CONTEXT_WINDOW;
}

/** A fixed window, or a function of the model id (e.g. a table of your own). */
export type ContextWindowSetting = number | ((model: string | undefined) => number);

/** Resolve a `ContextWindowSetting` for one model. */
export function resolveContextWindow(
  setting: ContextWindowSetting | undefined,
  model: string | undefined,
): number {
  const w = typeof setting === 'number' ? setting : setting ? setting(model) : contextWindowFor(model);
  if (!(Number.isFinite(w) && w > 0))
    throw new RangeError(`context window must be a positive number (got ${w})`);
  return w;
}
