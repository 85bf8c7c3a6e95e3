import { systemTimers, type Timers } from '../executor/index.js';
import type { StoredEvent } from '../hub/index.js';
import { clip, terminalStyle } from '../terminal/index.js';
import { renderFrame } from './progress-live.js';
import { NOTABLE, plainLine } from './progress-plain.js';
import { applyEvent, createProgressState } from './progress-state.js';

/** Where the progress view writes (stderr of the CLI, usually). */
export interface ProgressIo {
  write: (text: string) => void;
  isTTY: boolean;
  /** Terminal width (default 80). */
  columns?: number;
  /** Terminal height: a taller frame is cut so the redraw can reach its first line. */
  rows?: number;
  /** NO_COLOR is set. */
  noColor?: boolean;
}

/** How progress is shown: a redrawn view, one line per meaningful event, or every event as JSON. */
export type ProgressMode = 'live' | 'plain' | 'json';

/** Settings of `createProgressView`. */
export interface ProgressSettings {
  io: ProgressIo;
  /** Default: live on a TTY, plain otherwise. */
  mode?: ProgressMode;
  now?: () => Date;
  timers?: Timers;
  /** Least time between two redraws of the live view (default 100 ms). */
  throttleMs?: number;
  /** Redraw period while tasks run, so elapsed times move (default 1000 ms). */
  tickMs?: number;
}

/** A progress view fed with the run's events. */
export interface ProgressView {
  onEvent: (event: StoredEvent) => void;
  /**
   * Print a message without breaking the live frame (it goes above it); a line in plain mode.
   * Ignored in JSON mode, whose output is only events.
   */
  log: (line: string) => void;
  /** Draw the last state and release the terminal (cursor shown, timers cleared). */
  close: () => void;
}

const ESC = '\u001b[';

/** Create the progress view of a run (see `ProgressSettings`). */
export function createProgressView(s: ProgressSettings): ProgressView {
  const mode = s.mode ?? (s.io.isTTY ? 'live' : 'plain');
  if (mode === 'json')
    return { onEvent: (e) => s.io.write(`${JSON.stringify(e)}\n`), log: () => {}, close: () => {} };
  const state = createProgressState();
  if (mode === 'plain')
    return {
      onEvent: (e) => {
        applyEvent(state, e);
        const line = plainLine(state, e);
        if (line !== null) s.io.write(`${line}\n`);
      },
      log: (line) => s.io.write(`${line}\n`),
      close: () => {},
    };
  return liveView(s, state);
}

function liveView(s: ProgressSettings, state: ReturnType<typeof createProgressState>): ProgressView {
  const now = s.now ?? (() => new Date());
  const timers = s.timers ?? systemTimers;
  const throttleMs = s.throttleMs ?? 100;
  const tickMs = s.tickMs ?? 1000;
  const style = terminalStyle(!s.io.noColor);
  let shown = 0; // lines of the frame on screen
  let lastFrame = '';
  let lastDraw = Number.NEGATIVE_INFINITY;
  let pending: unknown;
  let closed = false;
  const log: string[] = [];

  const draw = () => {
    pending = undefined;
    lastDraw = now().getTime();
    const width = s.io.columns ?? 80;
    let lines = renderFrame(state, { now: now(), width, style });
    const room = (s.io.rows ?? Number.POSITIVE_INFINITY) - 1;
    if (lines.length > room)
      lines = [...lines.slice(0, Math.max(1, room - 1)), `… ${lines.length - room + 1} more lines`];
    const frame = lines.join('\n');
    if (frame === lastFrame && log.length === 0) return;
    // One write per redraw: back to the frame's first line, log lines above, the frame, clear the rest.
    let out = shown > 0 ? `${ESC}${shown}F` : `${ESC}?25l`;
    for (const l of log.splice(0)) out += `${ESC}2K${clip(l, Math.max(10, width - 1))}\n`;
    for (const l of lines) out += `${ESC}2K${l}\n`;
    out += `${ESC}J`;
    s.io.write(out);
    shown = lines.length;
    lastFrame = frame;
  };
  const schedule = () => {
    if (closed || pending !== undefined) return;
    const wait = lastDraw + throttleMs - now().getTime();
    if (wait <= 0) draw();
    else pending = timers.setTimeout(draw, wait);
  };
  // While tasks run their elapsed times move: redraw on a tick.
  let tick: unknown;
  const ticking = () => {
    tick = timers.setTimeout(() => {
      schedule();
      if (!closed) ticking();
    }, tickMs);
  };
  ticking();

  return {
    onEvent: (e) => {
      applyEvent(state, e);
      if (NOTABLE.has(e.type)) {
        const line = plainLine(state, e);
        if (line !== null) log.push(line);
      }
      schedule();
    },
    log: (line) => {
      log.push(...line.split('\n'));
      if (closed) draw();
      else schedule();
    },
    close: () => {
      if (closed) return;
      closed = true;
      if (pending !== undefined) timers.clearTimeout(pending);
      timers.clearTimeout(tick);
      if (state.runId === null) return; // nothing happened: nothing to show
      draw();
      s.io.write(`${ESC}?25h`);
    },
  };
}
