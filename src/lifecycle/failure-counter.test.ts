import fc from 'fast-check';
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

  it('property: terminates exactly when a run of `limit` failures has no success inside', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { maxLength: 30 }),
        fc.integer({ min: 1, max: 5 }),
        (outcomes, limit) => {
          const c = createFailureCounter({ limit });
          let run = 0;
          for (const ok of outcomes) {
            if (ok) {
              c.recordSuccess();
              run = 0;
            } else {
              run++;
              expect(c.recordFailure('x').action).toBe(run >= limit ? 'terminate' : 'continue');
            }
          }
        },
      ),
    );
  });
});
