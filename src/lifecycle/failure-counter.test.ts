import { describe, expect, it } from 'vitest';
import { createFailureCounter } from './failure-counter.js';

describe('failure counter', () => {
  it('terminates at the third consecutive failure, naming them', () => {
    const c = createFailureCounter({ limit: 3 });
    expect(c.recordFailure('a').action).toBe('continue');
    expect(c.recordFailure('b').action).toBe('continue');
    const v = c.recordFailure('c');
    expect(v).toMatchObject({ action: 'terminate', reason: 'failures' });
    expect(v.detail).toBe('3 consecutive failures (limit 3): a; b; c');
  });

  it('a success resets the streak', () => {
    const c = createFailureCounter({ limit: 3 });
    c.recordFailure('a');
    c.recordFailure('b');
    c.recordSuccess();
    expect(c.streak()).toEqual({ count: 0, failures: [] });
    expect(c.recordFailure('c').action).toBe('continue');
    expect(c.recordFailure('d').action).toBe('continue');
    expect(c.recordFailure('e').action).toBe('terminate');
  });
});
