import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { createCircularModificationDetector, hasCircularModification } from './circular-modification.js';
import { createRepeatedToolCallDetector } from './repeated-tool-call.js';

describe('circular modification', () => {
  it('A→B→A terminates naming the file; A→B→C does not', () => {
    const d = createCircularModificationDetector();
    expect(d.record('src/a.ts', 'aaaa1111').verdict).toBeNull();
    expect(d.record('src/a.ts', 'bbbb2222').verdict).toBeNull();
    const v = d.record('src/a.ts', 'aaaa1111').verdict;
    expect(v).toMatchObject({ action: 'terminate', reason: 'loop' });
    expect(v?.detail).toBe(
      'src/a.ts returned to an earlier content after changing (aaaa1111 → bbbb2222 → aaaa1111)',
    );
    expect(v?.evidence).toEqual({
      kind: 'circular-modification',
      path: 'src/a.ts',
      states: ['aaaa1111', 'bbbb2222', 'aaaa1111'],
    });
    expect(hasCircularModification(['a', 'b', 'c'])).toBe(false);
  });

  it('B may be several states; paths are independent; rewriting the same content is no change', () => {
    expect(hasCircularModification(['a', 'b', 'c', 'd', 'a'])).toBe(true);
    expect(hasCircularModification(['a', 'a', 'a', 'b', 'b'])).toBe(false);
    const d = createCircularModificationDetector();
    d.record('x.ts', 'a');
    expect(d.record('y.ts', 'b').verdict).toBeNull();
    expect(d.record('y.ts', 'a').verdict).toBeNull();
    expect(d.record('x.ts', 'a')).toEqual({ changed: false, verdict: null });
  });

  it('a return to the baseline content counts when the baseline is known', () => {
    const d = createCircularModificationDetector({
      baseline: (p) => (p === 'src/a.ts' ? 'orig' : undefined),
    });
    d.record('src/a.ts', 'edited');
    expect(d.record('src/a.ts', 'orig').verdict?.reason).toBe('loop');
    const unknown = createCircularModificationDetector();
    unknown.record('src/a.ts', 'edited');
    expect(unknown.record('src/a.ts', 'orig').verdict).toBeNull();
  });

  it('creating and deleting a scratch file is not a loop, re-creating the same content is', () => {
    expect(hasCircularModification([null, 'tmp', null])).toBe(false);
    expect(hasCircularModification(['a', null, 'a'])).toBe(true);
  });

  const hash = fc.string({ minLength: 1, maxLength: 3 });

  it('property: a sequence with no repeated non-adjacent state never triggers', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(hash, { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 3 })),
        (states, reps) => {
          // Repeat each state a few times in place: adjacent repeats are not changes.
          const seq = states.flatMap((s, i) => Array.from({ length: reps[i] ?? 1 }, () => s));
          expect(hasCircularModification(seq)).toBe(false);
        },
      ),
    );
  });

  it('property: any sequence containing X…Y…X with Y ≠ X triggers', () => {
    fc.assert(
      fc.property(
        fc.array(hash, { maxLength: 5 }),
        hash,
        fc.array(hash, { maxLength: 5 }),
        hash,
        fc.array(hash, { maxLength: 5 }),
        fc.array(hash, { maxLength: 5 }),
        (pre, x, mid1, y, mid2, post) => {
          fc.pre(x !== y);
          expect(hasCircularModification([...pre, x, ...mid1, y, ...mid2, x, ...post])).toBe(true);
        },
      ),
    );
  });
});

describe('repeated tool call', () => {
  it('the third identical call terminates naming the tool, whatever the key order', () => {
    const d = createRepeatedToolCallDetector({ limit: 3 });
    expect(d.record('Bash', { command: 'npm test', timeout: 1000 })).toBeNull();
    expect(d.record('Bash', { timeout: 1000, command: 'npm test' })).toBeNull();
    const v = d.record('Bash', { command: 'npm test', timeout: 1000 });
    expect(v).toMatchObject({ action: 'terminate', reason: 'loop' });
    expect(v?.detail).toContain(
      'Bash was called 3 times with the same input {"command":"npm test","timeout":1000}',
    );
    expect(v?.evidence).toMatchObject({ kind: 'repeated-tool-call', tool: 'Bash', count: 3 });
  });

  it('differing inputs or tools do not add up', () => {
    const d = createRepeatedToolCallDetector({ limit: 3 });
    for (const file of ['a.ts', 'b.ts', 'c.ts', 'd.ts'])
      expect(d.record('Read', { file_path: file })).toBeNull();
    expect(d.record('Grep', { file_path: 'a.ts' })).toBeNull();
    expect(d.record('Read', { file_path: 'a.ts' })).toBeNull();
    expect(d.maxCount()).toBe(2);
  });

  it('a reset (the workspace changed) forgets earlier calls; the limit is configurable', () => {
    const d = createRepeatedToolCallDetector({ limit: 2 });
    expect(d.record('Bash', { command: 'npm test' })).toBeNull();
    d.reset();
    expect(d.record('Bash', { command: 'npm test' })).toBeNull();
    expect(d.record('Bash', { command: 'npm test' })?.action).toBe('terminate');
  });

  it('canonical JSON sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: undefined, e: null })).toBe(
      '{"b":[{"c":2,"d":1}],"e":null}',
    );
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson(undefined)).toBe('null');
  });
});
