import { styleFor, type TerminalStyle, terminalWidth } from '../terminal/index.js';

/** Where a command writes: data to stdout, progress and errors to stderr. Injected for tests. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /** Width of stdout when it is a terminal. */
  columns?: number | undefined;
}

/** The real process streams. */
export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
    columns: process.stdout.columns,
  };
}

/** Print a value as pretty JSON on stdout. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** The terminal style for stdout: colour only on a terminal without NO_COLOR or TERM=dumb. */
export function styler(io: CliIo): TerminalStyle {
  return styleFor(io);
}

/** The width stdout's lines are fitted to: COLUMNS, the terminal's width, or `fallback`. */
export function outputWidth(io: CliIo, fallback = 80): number {
  return terminalWidth({ env: io.env, columns: io.isTTY ? io.columns : undefined }, fallback);
}
