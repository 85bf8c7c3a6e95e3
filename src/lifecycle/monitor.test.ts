import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventPayload, OrchestraEvent } from '../domain/index.js';
import { createLifecycleMonitor } from './monitor.js';

const clock = () => new Date('2026-08-20T10:00:00.000Z');
const usage = (inputTokens: number, messageId?: string): EventPayload => ({
  type: 'usage',
  model: 'claude-sonnet-4-5',
  ...(messageId ? { messageId } : {}),
  usage: { inputTokens, outputTokens: 10, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
});
const used = (tool: string, input: unknown, toolUseId?: string): EventPayload => ({
  type: 'tool.used',
  tool,
  input,
  ...(toolUseId ? { toolUseId } : {}),
});
const failed = (tool: string, toolUseId?: string, error = 'exit code 1'): EventPayload => ({
  type: 'tool.failed',
  tool,
  error,
  ...(toolUseId ? { toolUseId } : {}),
});
const changed = (path: string, sha256: string | null): EventPayload => ({
  type: 'file.changed',
  path,
  sha256,
});

function feed(events: EventPayload[], settings = {}) {
  const m = createLifecycleMonitor({ now: clock, ...settings });
  const verdicts = events.map((e) => m.observe(e));
  return { m, verdicts, last: verdicts.at(-1) };
}

describe('lifecycle monitor', () => {
  it('continues, warns, then terminates on context at the exact edges', () => {
    const { m, verdicts } = feed([usage(139_980, 'm1'), usage(140_000, 'm2'), usage(170_000, 'm3')]);
    expect(verdicts.map((v) => v.action)).toEqual(['continue', 'warn', 'terminate']);
    expect(verdicts[2]).toMatchObject({ reason: 'context' });
    expect(m.state()).toMatchObject({ turns: 3, terminatedAt: '2026-08-20T10:00:00.000Z' });
    expect(m.state().context).toEqual({ kind: 'context', tokens: 170_000, window: 200_000, ratio: 0.85 });
  });

  it('keeps warning on other events while context stays high', () => {
    const { verdicts } = feed([usage(150_000, 'm1'), used('Read', { file_path: 'a.ts' }, 't1')]);
    expect(verdicts[1]).toMatchObject({ action: 'warn', reason: 'context' });
  });

  it('the first termination is final and keeps its one reason', () => {
    const { m, last } = feed([
      usage(180_000, 'm1'),
      failed('Bash'),
      failed('Bash'),
      failed('Bash'),
      changed('a.ts', 'A'),
      changed('a.ts', 'B'),
      changed('a.ts', 'A'),
    ]);
    expect(last).toMatchObject({ action: 'terminate', reason: 'context' });
    expect(m.verdict()).toBe(last);
  });

  it('three consecutive tool failures terminate', () => {
    const { verdicts, last } = feed([
      usage(1000, 'm1'),
      used('Bash', { command: 'npm test' }, 't1'),
      failed('Bash', 't1', 'FAIL src/a.test.ts\nexpected 1'),
      usage(1100, 'm2'),
      used('Bash', { command: 'npm run build' }, 't2'),
      failed('Bash', 't2'),
      usage(1200, 'm3'),
      used('Bash', { command: 'npx tsc' }, 't3'),
      failed('Bash', 't3'),
    ]);
    expect(verdicts.slice(0, -1).every((v) => v.action === 'continue')).toBe(true);
    expect(last).toMatchObject({ action: 'terminate', reason: 'failures' });
    expect(last?.detail).toContain('3 consecutive failures (limit 3): Bash failed: FAIL src/a.test.ts;');
  });

  it('a successful tool call in between resets the streak (usage before or after tool uses)', () => {
    // The executor may emit a message's usage before its tool uses…
    const before = feed([
      usage(1000, 'm1'),
      used('Bash', { command: 'a' }, 't1'),
      failed('Bash', 't1'),
      usage(1000, 'm2'),
      used('Bash', { command: 'b' }, 't2'),
      failed('Bash', 't2'),
      usage(1000, 'm3'),
      used('Read', { file_path: 'x.ts' }, 't3'), // succeeds: no tool.failed
      usage(1000, 'm4'),
      used('Bash', { command: 'c' }, 't4'),
      failed('Bash', 't4'),
    ]);
    expect(before.last?.action).toBe('continue');
    expect(before.m.state().failures.count).toBe(1);
    // …or after them.
    const after = feed([
      used('Bash', { command: 'a' }, 't1'),
      usage(1000, 'm1'),
      failed('Bash', 't1'),
      used('Bash', { command: 'b' }, 't2'),
      usage(1000, 'm2'),
      failed('Bash', 't2'),
      used('Read', { file_path: 'x.ts' }, 't3'),
      usage(1000, 'm3'),
      used('Bash', { command: 'c' }, 't4'),
      usage(1000, 'm4'),
      failed('Bash', 't4'),
    ]);
    expect(after.last?.action).toBe('continue');
    expect(after.m.state().failures.count).toBe(1);
  });

  it('does not settle a call of the same turn as a success (parallel calls, duplicate usage lines)', () => {
    const { last } = feed([
      usage(1000, 'm1'),
      used('Bash', { command: 'a' }, 't1'),
      failed('Bash', 't1'),
      usage(1000, 'm2'),
      used('Bash', { command: 'b' }, 't2'),
      usage(1000, 'm2'), // a second stream line of the same API call
      used('Bash', { command: 'c' }, 't3'),
      failed('Bash', 't2'),
      failed('Bash', 't3'),
    ]);
    expect(last).toMatchObject({ action: 'terminate', reason: 'failures' });
  });

  it('a changed file is a success; a denial and its failed result count once', () => {
    const reset = feed([
      failed('Bash'),
      failed('Bash'),
      changed('a.ts', 'A'),
      failed('Bash'),
      failed('Bash'),
    ]);
    expect(reset.last?.action).toBe('continue');
    const denied = feed([
      used('Write', { file_path: '../x.ts', content: '' }, 't1'),
      { type: 'tool.denied', tool: 'Write', path: '../x.ts', reason: 'outside ownership' },
      failed('Write', 't1', 'Permission denied'),
      used('Write', { file_path: '../y.ts', content: '' }, 't2'),
      failed('Write', 't2', 'Permission denied'),
      { type: 'tool.denied', tool: 'Write', path: '../y.ts', reason: 'outside ownership' },
    ]);
    expect(denied.m.state().failures.count).toBe(2);
    expect(
      denied.m.observe({ type: 'tool.denied', tool: 'Edit', path: 'z.ts', reason: 'outside ownership' })
        .action,
    ).toBe('terminate');
  });

  it('duplicate stream lines of one tool call or one failure count once', () => {
    const { m } = feed([
      used('Bash', { command: 'x' }, 't1'),
      used('Bash', { command: 'x' }, 't1'),
      used('Bash', { command: 'x' }, 't1'),
      failed('Bash', 't1'),
      failed('Bash', 't1'),
    ]);
    expect(m.verdict().action).toBe('continue');
    expect(m.state().failures.count).toBe(1);
  });

  it('a criterion failing after the agent says done counts; recordSuccess resets', () => {
    const m = createLifecycleMonitor({ now: clock });
    m.observe(used('Bash', { command: 'a' }, 't1'));
    m.observe(failed('Bash', 't1'));
    m.observe(used('Write', { file_path: 'a.ts' }, 't2'));
    m.observe({ type: 'task.finished', attempt: 1 }); // t2 succeeded: the agent finished after it
    expect(m.recordCriterionFailure('npm test', 'FAIL 2 tests\nmore').action).toBe('continue');
    expect(m.recordCriterionFailure('npm test').action).toBe('continue');
    m.recordSuccess();
    m.recordCriterionFailure('npm test');
    m.recordCriterionFailure('npm test');
    const v = m.recordCriterionFailure('npm run lint', 'error');
    expect(v).toMatchObject({ action: 'terminate', reason: 'failures' });
    expect(v.detail).toContain('success criterion "npm run lint" failed: error');
  });

  it('A→B→A terminates naming the file; A→B→C does not', () => {
    const loop = feed([changed('src/a.ts', 'A'), changed('src/a.ts', 'B'), changed('src/a.ts', 'A')]);
    expect(loop.last).toMatchObject({ action: 'terminate', reason: 'loop' });
    expect(loop.last?.detail).toContain('src/a.ts returned to an earlier content');
    expect(loop.m.state().files).toEqual({ 'src/a.ts': ['A', 'B', 'A'] });
    const progress = feed([changed('src/a.ts', 'A'), changed('src/a.ts', 'B'), changed('src/a.ts', 'C')]);
    expect(progress.last?.action).toBe('continue');
  });

  it('catches a return to the original content through the baseline', () => {
    const { last } = feed([changed('src/a.ts', 'B'), changed('src/a.ts', 'ORIG')], {
      baseline: (p: string) => (p === 'src/a.ts' ? 'ORIG' : undefined),
    });
    expect(last?.reason).toBe('loop');
  });

  it('the same tool call three times terminates; differing inputs or edits in between do not', () => {
    const same = feed([
      used('Grep', { pattern: 'foo', path: 'src' }, 't1'),
      used('Grep', { path: 'src', pattern: 'foo' }, 't2'),
      used('Grep', { pattern: 'foo', path: 'src' }, 't3'),
    ]);
    expect(same.last).toMatchObject({ action: 'terminate', reason: 'loop' });
    expect(same.last?.detail).toMatch(/^Grep was called 3 times/);
    const differ = feed([
      used('Grep', { pattern: 'foo' }, 't1'),
      used('Grep', { pattern: 'bar' }, 't2'),
      used('Grep', { pattern: 'baz' }, 't3'),
    ]);
    expect(differ.last?.action).toBe('continue');
    const edits = feed([
      used('Bash', { command: 'npm test' }, 't1'),
      changed('a.ts', 'A'),
      used('Bash', { command: 'npm test' }, 't2'),
      changed('a.ts', 'B'),
      used('Bash', { command: 'npm test' }, 't3'),
    ]);
    expect(edits.last?.action).toBe('continue');
  });

  it('takes config.lifecycle thresholds and rejects inconsistent ones', () => {
    const { last } = feed([failed('Bash'), failed('Bash')], {
      thresholds: {
        maxConsecutiveFailures: 2,
        continueBelow: 0.7,
        terminateAt: 0.85,
        loopRepeat: 3,
        maxAttempts: 3,
      },
    });
    expect(last?.reason).toBe('failures');
    expect(() => createLifecycleMonitor({ thresholds: { continueBelow: 0.9, terminateAt: 0.8 } })).toThrow(
      /continueBelow <= terminateAt/,
    );
  });

  it('is deterministic: the same events give the same verdicts and state', () => {
    const events = [
      usage(100_000, 'm1'),
      used('Bash', { command: 'x' }, 't1'),
      failed('Bash', 't1'),
      changed('a.ts', 'A'),
      usage(150_000, 'm2'),
    ];
    const a = feed(events);
    const b = feed(events);
    expect(a.verdicts).toEqual(b.verdicts);
    expect(a.m.state()).toEqual(b.m.state());
    expect(a.last?.detail).toBe('context use 150000 of 200000 tokens (75%) is at or above 70%');
  });

  it('takes hub events (envelopes) as they are stored', () => {
    const stored: OrchestraEvent = {
      v: 1,
      runId: 'r1',
      taskId: 'api',
      at: '2026-08-20T10:00:00.000Z',
      ...changed('a.ts', 'A'),
    };
    expect(createLifecycleMonitor().observe(stored).action).toBe('continue');
  });

  const anyEvent: fc.Arbitrary<EventPayload> = fc.oneof(
    fc.integer({ min: 0, max: 200_000 }).map((n) => usage(n, `m${n % 7}`)),
    fc.constantFrom('Bash', 'Read', 'Edit').chain((tool) =>
      fc.oneof(
        fc.constantFrom('a', 'b').map((x) => used(tool, { command: x }, `t${x}${tool}`)),
        fc.constantFrom('a', 'b').map((x) => failed(tool, `t${x}${tool}`)),
      ),
    ),
    fc
      .tuple(fc.constantFrom('x.ts', 'y.ts'), fc.constantFrom('A', 'B', 'C', null))
      .map(([p, h]) => changed(p, h)),
  );

  it('property: deterministic, one reason per terminate, and the first termination sticks', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 40 }), (events) => {
        const a = feed(events).verdicts;
        expect(feed(events).verdicts).toEqual(a);
        const first = a.findIndex((v) => v.action === 'terminate');
        if (first < 0) return;
        const stop = a[first]!;
        expect(['context', 'failures', 'loop']).toContain(stop.reason);
        for (const v of a.slice(first)) expect(v).toEqual(stop);
      }),
    );
  });
});
