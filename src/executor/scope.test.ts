import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesGlob } from '../domain/globs.js';
import { classifyScope } from './scope.js';
import { type ChangedFile, parseNameStatus } from './worktree-changes.js';
import { parseWorktreeList } from './worktree-list.js';

describe('classifyScope', () => {
  it('every change is either in scope or a violation, and ok means no violation', () => {
    const seg = fc.constantFrom('src', 'a', 'b', 'api', 'apix', 'x.ts', '.env');
    const path = fc.array(seg, { minLength: 1, maxLength: 4 }).map((p) => p.join('/'));
    const change = fc.oneof(
      fc.record({ status: fc.constantFrom('A', 'M', 'D', 'T'), path }),
      fc.record({ status: fc.constant('R'), path, from: path }),
    );
    const glob = fc.constantFrom('src/api/', 'src/**', 'a/*.ts', '**/x.ts', 'b/**');
    fc.assert(
      fc.property(fc.array(change, { maxLength: 8 }), fc.array(glob, { maxLength: 3 }), (changes, owns) => {
        const r = classifyScope(changes, owns);
        expect(r.ok).toBe(r.violations.length === 0);
        for (const c of changes as ChangedFile[]) {
          const sides = c.from === undefined ? [c.path] : [c.from, c.path];
          const owned = sides.every((p) => owns.some((g) => matchesGlob(p, g)));
          expect(r.inScope.some((f) => f.path === c.path && f.from === c.from)).toBe(owned);
          for (const p of sides)
            if (!owns.some((g) => matchesGlob(p, g)))
              expect(r.violations).toContainEqual({ path: p, status: c.status });
        }
      }),
    );
  });

  it('treats a prefix sibling as outside', () => {
    const r = classifyScope([{ status: 'A', path: 'src/apix/a.ts' }], ['src/api/']);
    expect(r).toEqual({ ok: false, violations: [{ path: 'src/apix/a.ts', status: 'A' }], inScope: [] });
  });
});

describe('git output parsers', () => {
  it('parses name-status with renames and odd names', () => {
    expect(parseNameStatus('M\0a b.ts\0R087\0old\tname\0new\nname\0D\0gone\0')).toEqual([
      { status: 'M', path: 'a b.ts' },
      { status: 'R', from: 'old\tname', path: 'new\nname' },
      { status: 'D', path: 'gone' },
    ]);
    expect(parseNameStatus('')).toEqual([]);
  });

  it('parses worktree lists', () => {
    const out = 'worktree /r\0HEAD 1\0branch refs/heads/main\0\0worktree /w\0HEAD 2\0detached\0locked\0\0';
    expect(parseWorktreeList(out)).toEqual([
      { path: '/r', head: '1', branch: 'refs/heads/main', locked: false },
      { path: '/w', head: '2', locked: true },
    ]);
  });
});
