import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plan } from '../../test/validator/fixture.js';
import { nameSimilarity } from './contract-compare.js';
import { dependencyOrder, ownerOf } from './ownership.js';

describe('dependencyOrder', () => {
  it('puts every task after its dependencies, keeps all tasks, and keeps the given order otherwise', () => {
    // Random DAGs: task i may depend only on tasks with a smaller index, then the list is shuffled.
    const dag = fc.integer({ min: 1, max: 12 }).chain((n) =>
      fc.tuple(
        fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j)))),
        fc.shuffledSubarray(
          Array.from({ length: n }, (_, i) => i),
          { minLength: n, maxLength: n },
        ),
      ),
    );
    fc.assert(
      fc.property(dag, ([deps, order]) => {
        const tasks = plan({
          tasks: order.map((i) => ({
            id: `t${i}`,
            title: 't',
            agent: 'a',
            dependsOn: (deps[i] ?? []).map((d) => `t${d}`),
          })),
        }).tasks;
        const out = dependencyOrder(tasks).map((t) => t.id);
        expect([...out].sort()).toEqual(tasks.map((t) => t.id).sort());
        for (const t of tasks)
          for (const d of t.dependsOn) expect(out.indexOf(d)).toBeLessThan(out.indexOf(t.id));
        if (tasks.every((t) => t.dependsOn.length === 0)) expect(out).toEqual(tasks.map((t) => t.id));
      }),
    );
  });

  it('ignores dependencies outside the list and keeps cycles', () => {
    const tasks = plan({
      tasks: [
        { id: 'a', title: 'a', agent: 'x', dependsOn: ['b'] },
        { id: 'b', title: 'b', agent: 'x', dependsOn: ['a'] },
        { id: 'c', title: 'c', agent: 'x', dependsOn: ['elsewhere'] },
      ],
    }).tasks;
    expect(dependencyOrder(tasks).map((t) => t.id)).toEqual(['c', 'a', 'b']);
  });
});

describe('ownerOf', () => {
  it('maps a path to the first task whose globs match', () => {
    const tasks = plan({
      tasks: [
        { id: 'api', title: 'a', agent: 'x', owns: ['src/api/'] },
        { id: 'ui', title: 'u', agent: 'y', owns: ['src/ui/**/*.tsx'] },
      ],
    }).tasks;
    expect(ownerOf('src/api/deep/x.ts', tasks)?.id).toBe('api');
    expect(ownerOf('src/ui/a/b.tsx', tasks)?.id).toBe('ui');
    expect(ownerOf('src/ui/a/b.ts', tasks)).toBeUndefined();
  });
});

describe('nameSimilarity', () => {
  it('is symmetric, within 0..1, and 1 for names equal up to case and separators', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const s = nameSimilarity(a, b);
        expect(s).toBe(nameSimilarity(b, a));
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }),
    );
    expect(nameSimilarity('userId', 'user_id')).toBe(1);
    expect(nameSimilarity('op', 'operation')).toBe(0.8);
    expect(nameSimilarity('userId', 'color')).toBeLessThan(0.7);
  });
});
