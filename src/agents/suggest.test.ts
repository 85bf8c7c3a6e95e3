import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closest, editDistance } from './suggest.js';

describe('suggestions', () => {
  it('counts substitutions, insertions, deletions and swaps as one edit', () => {
    expect(editDistance('Read', 'Read')).toBe(0);
    expect(editDistance('Reed', 'Read')).toBe(1);
    expect(editDistance('Grpe', 'Grep')).toBe(1);
    expect(editDistance('Wrte', 'Write')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('is symmetric and zero only for equal strings (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (a, b) => {
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, b) === 0).toBe(a === b);
        expect(editDistance(a, b)).toBeLessThanOrEqual(Math.max(a.length, b.length));
      }),
    );
  });

  it('suggests a near name and nothing for a far one', () => {
    expect(closest('sonet', ['sonnet', 'opus'])).toBe('sonnet');
    expect(closest('BASH', ['Bash', 'Read'])).toBe('Bash');
    expect(closest('Frobnicate', ['Read', 'Write'])).toBeUndefined();
  });
});
