import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { expandBraces, globOverlap, matchesGlob } from './globs.js';

const both = (a: string, b: string, w: string | null) => w !== null && matchesGlob(w, a) && matchesGlob(w, b);

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

  const seg = fc.constantFrom('src', 'api', 'apix', 'a.ts', '*.ts', '*', '**', 'b?', '[ab]', 'index.*', 'x');
  const glob = fc.array(seg, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
  const name = fc.constantFrom('src', 'api', 'apix', 'a.ts', 'b.ts', 'ba', 'index.js', 'x', '.env');
  const path = fc.array(name, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));

  it('agrees with picomatch: a witness matches both, and a path matching both implies an overlap', () => {
    fc.assert(
      fc.property(glob, glob, fc.array(path, { maxLength: 30 }), (a, b, paths) => {
        const w = globOverlap(a, b);
        if (w !== null) expect(both(a, b, w), `${a} ∩ ${b} → ${w}`).toBe(true);
        if (paths.some((p) => matchesGlob(p, a) && matchesGlob(p, b)))
          expect(w, `${a} ∩ ${b}`).not.toBeNull();
      }),
      { numRuns: 500 },
    );
  });
});
