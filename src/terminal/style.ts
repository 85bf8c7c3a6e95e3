/** Emphasis a renderer may apply to text: ANSI colours, or identity functions when colour is off. */
export interface TerminalStyle {
  bold: (s: string) => string;
  dim: (s: string) => string;
  red: (s: string) => string;
  green: (s: string) => string;
  yellow: (s: string) => string;
  cyan: (s: string) => string;
}

/** ANSI colours when `color`, otherwise plain text. */
export function terminalStyle(color: boolean): TerminalStyle {
  const wrap = (code: number, reset: number) => (s: string) =>
    color ? `\u001b[${code}m${s}\u001b[${reset}m` : s;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

/** Plain text: what a renderer uses when it is given no style. */
export const PLAIN_STYLE: TerminalStyle = terminalStyle(false);

/** What decides colour and width: the output stream and the environment. */
export interface TerminalInfo {
  /** The stream written to is a terminal. */
  isTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** The stream's width in columns, when it is a terminal. */
  columns?: number | undefined;
}

/**
 * Colour only on a terminal, never with `NO_COLOR` set to a non-empty value (no-color.org) or
 * `TERM=dumb`.
 */
export function colorEnabled(t: Pick<TerminalInfo, 'isTTY' | 'env'>): boolean {
  const noColor = t.env.NO_COLOR;
  return t.isTTY && (noColor === undefined || noColor === '') && t.env.TERM !== 'dumb';
}

/**
 * The width to fit lines to: `COLUMNS` when it is a positive integer (so golden tests can pin it),
 * else the terminal's width, else `fallback`.
 */
export function terminalWidth(t: Pick<TerminalInfo, 'env' | 'columns'>, fallback = 80): number {
  const pinned = Number(t.env.COLUMNS);
  if (Number.isInteger(pinned) && pinned > 0) return pinned;
  return t.columns && t.columns > 0 ? t.columns : fallback;
}

/** The style a renderer writing to this terminal should use. */
export function styleFor(t: Pick<TerminalInfo, 'isTTY' | 'env'>): TerminalStyle {
  return terminalStyle(colorEnabled(t));
}
