import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset } from './plan-json-error.js';

const parses = (s: string) => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};

describe('jsonErrorOffset', () => {
  it('finds the offending character', () => {
    expect(jsonErrorOffset('{\n  "tasks": [,]\n}')).toBe(14);
    expect(jsonErrorOffset('{"a": 1,}')).toBe(8);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
    expect(jsonErrorOffset('{"a": "unterminated')).toBe(19);
    expect(jsonErrorOffset('{"a": [1, 2]}')).toBe(-1);
  });

  it('agrees with JSON.parse on validity, for valid documents and mutated ones', () => {
    const doc = fc.jsonValue().map((v) => JSON.stringify(v, null, 1));
    fc.assert(
      fc.property(
        doc,
        fc.nat(),
        fc.constantFrom('', ',', '}', ']', '"', ':', '{', '[', 'x', '\\', '\n'),
        (text, at, ch) => {
          expect(jsonErrorOffset(text)).toBe(-1);
          const k = at % (text.length + 1);
          const mutated = text.slice(0, k) + ch + text.slice(k + 1);
          expect(jsonErrorOffset(mutated) === -1).toBe(parses(mutated));
        },
      ),
      { numRuns: 500 },
    );
  });
});
