import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitSections } from './packet-fit.js';
import type { PacketSection } from './packet-sections.js';

const section = (name: string, priority: number, size: number, required = false): PacketSection => ({
  name,
  priority,
  required,
  text: 'x'.repeat(size),
});
// Every left-out section costs a line in the "left out" list.
const measureOf = (sections: readonly PacketSection[]) => (dropped: ReadonlySet<PacketSection>) =>
  sections.reduce((n, s) => n + (dropped.has(s) ? 3 : s.text.length), 0);
const names = (d: Set<PacketSection>) => [...d].map((s) => s.name).sort();

describe('fitSections', () => {
  const s = [
    section('task', 100, 50, true),
    section('a', 90, 20),
    section('b', 60, 20),
    section('c', 60, 20),
  ];

  it('drops nothing when everything fits, and the lowest priority first (later first among equals)', () => {
    expect(names(fitSections(s, 110, measureOf(s)))).toEqual([]);
    expect(names(fitSections(s, 109, measureOf(s)))).toEqual(['c']);
    expect(names(fitSections(s, 80, measureOf(s)))).toEqual(['b', 'c']);
    expect(names(fitSections(s, 40, measureOf(s)))).toEqual(['a', 'b', 'c']);
  });

  it('puts back a smaller lower-priority section after a large one was dropped', () => {
    const t = [section('task', 100, 10, true), section('big', 90, 500), section('small', 50, 10)];
    expect(names(fitSections(t, 100, measureOf(t)))).toEqual(['big']);
  });

  it('property: fits unless nothing can, never drops a required one, and leaves nothing out that would fit', () => {
    const arb = fc.array(
      fc.record({
        priority: fc.integer({ min: 0, max: 5 }),
        size: fc.integer({ min: 1, max: 60 }),
        required: fc.boolean(),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: 400 }), (specs, budget) => {
        const all = specs.map((x, i) => section(`s${i}`, x.priority, x.size, x.required));
        const measure = measureOf(all);
        const dropped = fitSections(all, budget, measure);
        for (const d of dropped) expect(d.required).toBe(false);
        // Only when nothing fits is the result over budget, and then every optional section is out.
        if (measure(dropped) > budget) {
          expect(dropped.size).toBe(all.filter((x) => !x.required).length);
          return;
        }
        for (const d of dropped) {
          const without = new Set(dropped);
          without.delete(d);
          expect(measure(without)).toBeGreaterThan(budget);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
