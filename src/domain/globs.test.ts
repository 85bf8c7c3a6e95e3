import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { expandBraces, globOverlap, globSyntaxProblem, matchesGlob, normalizeGlob } from './globs.js';

// The overlap test ignores letter case (one file on macOS and Windows): compare with picomatch's nocase.
const nocase = (p: string, g: string) =>
  expandBraces(normalizeGlob(g)).some((x) => picomatch(x, { dot: true, nocase: true })(p));
const both = (a: string, b: string, w: string | null) => w !== null && nocase(w, a) && nocase(w, b);

describe('globOverlap', () => {
  it.each([
    ['src/types/**', 'src/types/index.ts'],
    ['src/**', 'src/api/**'],
    ['src/**/*.ts', 'src/api/*.ts'],
    ['src/*.ts', 'src/index.*'],
    ['**', 'README.md'],
    ['src/{api,db}/**', 'src/db/schema.sql'],
    ['src/a?c.ts', 'src/[ab]bc.ts'],
    ['**/*.test.ts', 'src/**'],
  ])('%s and %s overlap with a witness both match', (a, b) => {
    const w = globOverlap(a, b);
    expect(both(a, b, w), `witness ${w}`).toBe(true);
    expect(globOverlap(b, a)).not.toBeNull();
  });

  it.each([
    ['src/api/**', 'src/apix/**'],
    ['src/types/**', 'src/server/**'],
    ['src/*.ts', 'src/*.tsx'],
    ['src/*.ts', 'src/a/b.ts'],
    ['src/[ab].ts', 'src/c.ts'],
    ['tests/**', 'src/**'],
  ])('%s and %s do not overlap', (a, b) => {
    expect(globOverlap(a, b)).toBeNull();
  });

  it('matches like picomatch, except that dir/** never matches the bare directory name', () => {
    expect(matchesGlob('src/a/b.ts', 'src/**')).toBe(true);
    expect(matchesGlob('src', 'src/**')).toBe(false);
    expect(picomatch('src/**', { dot: true })('src')).toBe(true);
    expect(matchesGlob('.env', '*')).toBe(true);
  });

  it('treats a trailing slash as the whole directory', () => {
    expect(matchesGlob('src/api/x.ts', 'src/api/')).toBe(true);
    expect(globOverlap('src/api/', 'src/api/x.ts')).toBe('src/api/x.ts');
  });

  it('expands nested braces', () => {
    expect(expandBraces('a/{b,c{d,e}}/f').sort()).toEqual(['a/b/f', 'a/cd/f', 'a/ce/f']);
  });

  // The full accepted syntax: literals (both cases), *, ?, ** segments, classes with ranges and
  // negation, {a,b} alternatives (nested), a trailing slash.
  const lit = fc.constantFrom('src', 'api', 'API', 'apix', 'a.ts', 'B.ts', 'x', 'index', '.env');
  const atom: fc.Arbitrary<string> = fc.oneof(
    lit,
    fc.constantFrom('*', '*.ts', 'b?', '?', 'index.*', '[ab]', '[A-C].ts', '[^a]', '[^a-b]?', 'a*x', '*i*'),
  );
  const braced = fc
    .tuple(atom, atom, fc.option(atom, { nil: undefined }))
    .map(([x, y, z]) => (z === undefined ? `{${x},${y}}` : `{${x},{${y},${z}}}`));
  const seg = fc.oneof({ arbitrary: atom, weight: 6 }, { arbitrary: braced, weight: 1 }, fc.constant('**'));
  const glob = fc
    .tuple(fc.array(seg, { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([s, slash]) => `${s.join('/')}${slash ? '/' : ''}`);
  const name = fc.constantFrom(
    'src',
    'api',
    'Api',
    'apix',
    'a.ts',
    'b.ts',
    'B.ts',
    'C.ts',
    'ba',
    'index.js',
    'x',
    '.env',
    'c',
  );
  const path = fc.array(name, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));

  it('agrees with picomatch (up to case) over the whole accepted syntax', () => {
    fc.assert(
      fc.property(glob, glob, fc.array(path, { maxLength: 30 }), (a, b, paths) => {
        expect(globSyntaxProblem(a), a).toBeUndefined();
        const w = globOverlap(a, b);
        if (w !== null) expect(both(a, b, w), `${a} ∩ ${b} → ${w}`).toBe(true);
        if (paths.some((p) => nocase(p, a) && nocase(p, b))) expect(w, `${a} ∩ ${b}`).not.toBeNull();
      }),
      { numRuns: 1000 },
    );
  });

  it('overlaps globs that differ only by letter case', () => {
    expect(globOverlap('src/API/**', 'src/api/**')).not.toBeNull();
    expect(globOverlap('src/[A-Z]*.ts', 'src/index.ts')).not.toBeNull();
    expect(globOverlap('src/[^a]x', 'src/AX')).toBeNull();
  });
});

describe('globSyntaxProblem', () => {
  it.each([
    ['!src/**', /negation/],
    ['src/@(a|b)/**', /extglob/],
    ['src/+(a)/x', /extglob/],
    ['src/!(a)/x', /extglob/],
    ['src/*(a)/x', /extglob/],
    ['src/?(a)/x', /extglob/],
    ['src/(a|b)/x', /groups/],
    ['src/[[:alpha:]]/x', /POSIX/],
    ['src/{1..3}/x', /range/],
    ['src/**x.ts', /whole path segment/],
    ['src/[ab/x', /class cannot contain|unclosed/],
    ['src/{a,b/x', /unclosed/],
    ['src/a]/x', /unmatched/],
    ['/etc/**', /relative/],
    ['src/../x', /\.\./],
    ['', /empty/],
    ['src/[!a]/x', /\[\^/],
    ['src/[]a]/x', /cannot start/],
  ])('refuses %s', (g, reason) => {
    expect(globSyntaxProblem(g)).toMatch(reason);
  });
  it.each(['src/**', 'src/{a,b{c,d}}/*.ts', 'src/[^a-c]?.ts', 'docs/', '**/*.test.ts', 'README.md'])(
    'accepts %s',
    (g) => {
      expect(globSyntaxProblem(g)).toBeUndefined();
    },
  );
});
