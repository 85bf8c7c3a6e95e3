import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { fillFixtureRun, manualClock } from '../../test/run/hub-fixture.js';
import { openHub, type StoredEvent } from '../hub/index.js';
import { terminalStyle } from '../terminal/index.js';
import { manualTimers } from '../testing/manual-timers.js';
import { createProgressView, type ProgressSettings } from './progress.js';
import { renderFrame } from './progress-live.js';
import { applyEvent, createProgressState } from './progress-state.js';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

/** The fixture run's events as the engine streams them, and the clock they were written with. */
function fixtureEvents(): StoredEvent[] {
  const clock = manualClock();
  const hub = openHub({ path: ':memory:', now: clock.now });
  closers.push(() => hub.close());
  const runId = fillFixtureRun(hub, clock);
  return hub.events.list({ runId });
}

const ESC = '\u001b';
const stripAnsi = (s: string) => s.replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g'), '');

function capture(settings: Omit<ProgressSettings, 'io'> & { io?: Partial<ProgressSettings['io']> }) {
  const writes: string[] = [];
  const view = createProgressView({
    ...settings,
    io: { write: (t) => writes.push(t), isTTY: false, columns: 100, noColor: true, ...settings.io },
  });
  return { view, writes };
}

describe('plain progress', () => {
  it('writes one line per meaningful event (golden)', async () => {
    const { view, writes } = capture({});
    for (const e of fixtureEvents()) view.onEvent(e);
    view.close();
    const text = writes.join('');
    expect(text).toContain('[wave 1] api started (backend-specialist)\n');
    expect(text).toContain('[wave 1] db failed: the agent process crashed\n');
    expect(text).not.toContain('\u001b');
    expect(text).not.toMatch(/Write src\/api\/a\.ts/); // tool calls are not progress
    await expect(text).toMatchFileSnapshot('./fixtures/golden/progress-plain.txt');
  });

  it('is the default when the output is not a terminal', () => {
    const { view, writes } = capture({ io: { isTTY: false } });
    view.onEvent(fixtureEvents()[0] as StoredEvent);
    expect(writes).toEqual(['run run-1 started: Real-time collaborative editing\n']);
  });
});

describe('json progress', () => {
  it('writes every event as one JSON line (golden)', async () => {
    const events = fixtureEvents();
    const { view, writes } = capture({ mode: 'json' });
    for (const e of events) view.onEvent(e);
    view.close();
    expect(writes).toHaveLength(events.length);
    expect(writes.map((w) => JSON.parse(w))).toEqual(events);
    await expect(writes.join('')).toMatchFileSnapshot('./fixtures/golden/progress.jsonl');
  });
});

/**
 * A tiny terminal: applies what the live view writes (text, newlines, cursor-up-to-line-start,
 * erase line, erase below) to a screen, so tests see what a user would see after the redraws.
 */
function terminal() {
  const screen: string[] = [];
  let row = 0;
  let col = 0;
  const put = (ch: string) => {
    const line = [...(screen[row] ?? '')];
    while (line.length < col) line.push(' ');
    line[col] = ch;
    screen[row] = line.join('');
    col++;
  };
  return {
    write(text: string) {
      const re = new RegExp(`${ESC}\\[([0-9;?]*)([A-Za-z])|\n|[^${ESC}\n]`, 'gu');
      for (const m of text.matchAll(re)) {
        if (m[0] === '\n') {
          row++;
          col = 0;
        } else if (m[2] === undefined) put(m[0]);
        else if (m[2] === 'F') {
          row = Math.max(0, row - Number(m[1] || 1));
          col = 0;
        } else if (m[2] === 'K') screen[row] = '';
        else if (m[2] === 'J') screen.length = Math.min(screen.length, row + 1);
        // colours and cursor visibility do not change the text
      }
    },
    text: () => screen.slice(0, row).join('\n'),
  };
}

describe('live progress', () => {
  function live(noColor = true, columns = 100) {
    const clock = manualClock('2026-01-02T03:04:06.000Z');
    const timers = manualTimers();
    const tty = terminal();
    const writes: string[] = [];
    const view = createProgressView({
      mode: 'live',
      now: clock.now,
      timers,
      io: {
        write: (t) => {
          writes.push(t);
          tty.write(t);
        },
        isTTY: true,
        noColor,
        columns,
      },
    });
    return { view, writes, tty, clock, timers };
  }

  it('shows tasks grouped by wave with state, agent, tokens, elapsed time and the budget in use; failures above', () => {
    const events = fixtureEvents();
    const { view, tty, clock } = live();
    const upTo = events.findIndex((e) => e.type === 'packet.built' && e.taskId === 'web');
    for (const e of events.slice(0, upTo + 1)) view.onEvent(e);
    // 30 s after web started (the clock the view reads; event times come from the events).
    clock.advance(Date.parse(events[upTo]?.at ?? '') + 29_000 - clock.now().getTime());
    view.close();
    expect(stripAnsi(tty.text())).toBe(
      [
        '[wave 1] api denied Write src/db/x.ts: owned by db',
        '[wave 1] api terminated (attempt 1): context: context at 87%',
        '[wave 1] db failed: the agent process crashed',
        'finding error contract (api): Operation.userId is number, contract says string',
        'conflict between api, web: src/api/ops.ts',
        'fix #1 for api (round 1): standardize Operation.userId to string',
        'run run-1  0:55  Real-time collaborative editing',
        'wave 1  8,000/60,000 tokens budgeted (13%)  done',
        '  ✓ api  backend-specialist   merged   3,950 tok  0:04',
        '  ✗ db   database-specialist  failed   0 tok      0:09  the agent process crashed',
        'wave 2  4,000/60,000 tokens budgeted (6.7%)',
        '  ● web  frontend-specialist  running  0 tok      0:30',
        'validation  1 finding, 1 fix, 1 conflict',
      ].join('\n'),
    );
  });

  it('redraws in place: one write per frame, back to its first line, throttled, nothing when unchanged', () => {
    const events = fixtureEvents();
    const { view, writes, clock, timers } = live();
    view.onEvent(events[0] as StoredEvent);
    expect(writes).toHaveLength(1);
    expect(writes[0]?.startsWith('\u001b[?25l')).toBe(true); // cursor hidden while drawing
    const firstLines = (writes[0]?.match(/\n/g) ?? []).length;
    view.onEvent(events[1] as StoredEvent); // within the throttle window: no write yet
    expect(writes).toHaveLength(1);
    clock.advance(150);
    timers.fireAll();
    expect(writes).toHaveLength(2);
    expect(writes[1]?.startsWith(`\u001b[${firstLines}F`)).toBe(true);
    expect(writes[1]?.endsWith('\u001b[J')).toBe(true);
    timers.fireAll(); // a tick in the same second: the frame is unchanged, nothing is written
    expect(writes).toHaveLength(2);
    clock.advance(1000);
    timers.fireAll(); // a second later the run's clock moved
    expect(writes).toHaveLength(3);
    view.close();
    expect(writes.at(-1)).toBe('\u001b[?25h');
  });

  it('prints messages above the frame without breaking it', () => {
    const events = fixtureEvents();
    const { view, tty, clock } = live();
    view.onEvent(events[0] as StoredEvent);
    view.log('waiting for the merge lock');
    clock.advance(200);
    view.onEvent(events[1] as StoredEvent);
    view.close();
    expect(tty.text()).toBe(
      [
        'waiting for the merge lock',
        'run run-1  0:00  Real-time collaborative editing',
        'wave 1  8,000/60,000 tokens budgeted (13%)',
        '  ○ api    queued  0 tok  -',
        '  ○ db     queued  0 tok  -',
      ].join('\n'),
    );
  });

  it('fits every line to the terminal width and honours NO_COLOR', () => {
    const events = fixtureEvents();
    const plain = live(true, 40);
    const coloured = live(false);
    for (const v of [plain, coloured]) {
      for (const e of events) {
        v.clock.advance(1000);
        v.view.onEvent(e);
      }
      v.view.close();
    }
    expect(plain.writes.join('')).not.toMatch(new RegExp(`${ESC}\\[\\d+m`));
    expect(coloured.writes.join('')).toContain(`${ESC}[32m✓${ESC}[39m`);
    for (const line of stripAnsi(plain.writes.join('')).split('\n'))
      expect([...line].length, line).toBeLessThanOrEqual(40);
    expect(plain.tty.text()).toContain('run failed: 1 task failed: db');
  });
});

describe('live frame', () => {
  it('property: every line fits the width, whatever the names, reasons and widths', () => {
    const text = fc.string({ maxLength: 200 });
    const id = fc.stringMatching(/^[a-z][a-z0-9-]{0,40}$/);
    const event = fc.oneof(
      fc.record({
        type: fc.constant('task.started' as const),
        taskId: id,
        attempt: fc.integer({ min: 1, max: 5 }),
        agent: text,
      }),
      fc.record({
        type: fc.constant('task.failed' as const),
        taskId: id,
        attempt: fc.constant(1),
        reason: text,
      }),
      fc.record({
        type: fc.constant('task.terminated' as const),
        taskId: id,
        attempt: fc.constant(1),
        reason: text,
        detail: text,
      }),
      fc.record({
        type: fc.constant('wave.started' as const),
        taskId: fc.constant(null),
        wave: fc.nat(99),
        tasks: fc.array(id, { maxLength: 4 }),
        estimatedTokens: fc.nat(),
        budget: fc.nat(),
      }),
      fc.record({ type: fc.constant('run.started' as const), taskId: fc.constant(null), goal: text }),
      fc.record({
        type: fc.constant('validation.finding' as const),
        taskId: fc.constant(null),
        kind: text,
        severity: fc.constant('error' as const),
        message: text,
      }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 25 }), fc.integer({ min: 10, max: 160 }), (events, width) => {
        const state = createProgressState();
        events.forEach((e, i) => {
          applyEvent(state, {
            ...e,
            v: 1,
            runId: 'r',
            at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
            id: i + 1,
          } as StoredEvent);
        });
        const lines = renderFrame(state, {
          now: new Date(Date.UTC(2026, 0, 1, 1)),
          width,
          style: terminalStyle(false),
        });
        for (const line of lines) {
          expect(line).not.toContain('\n');
          expect([...line].length).toBeLessThanOrEqual(Math.max(10, width - 1));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('live frame, fix waves', () => {
  it('shows a task run again in a later wave under that wave only', () => {
    const state = createProgressState();
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    const events = [
      { type: 'wave.started', taskId: null, wave: 1, tasks: ['api'], estimatedTokens: 10, budget: 100 },
      { type: 'task.started', taskId: 'api', attempt: 1, agent: 'backend' },
      { type: 'task.finished', taskId: 'api', attempt: 1 },
      { type: 'wave.finished', taskId: null, wave: 1, merged: ['api'], failed: [] },
      { type: 'wave.started', taskId: null, wave: 2, tasks: ['api'], estimatedTokens: 10, budget: 100 },
      { type: 'task.started', taskId: 'api', attempt: 2, agent: 'backend' },
    ];
    events.forEach((e, i) => {
      applyEvent(state, { ...e, v: 1, runId: 'r', at: at(i), id: i + 1 } as StoredEvent);
    });
    const lines = renderFrame(state, { now: new Date(at(10)), width: 80, style: terminalStyle(false) });
    expect(lines).toEqual([
      'run r  0:10',
      'wave 1  10/100 tokens budgeted (10%)  done',
      'wave 2  10/100 tokens budgeted (10%)',
      '  ● api  backend  running (attempt 2)  0 tok  0:05',
    ]);
  });
});
