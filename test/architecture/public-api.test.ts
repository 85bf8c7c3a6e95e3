import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiReport, publicApi } from './public-api.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SNAPSHOT = path.join(import.meta.dirname, 'public-api.snapshot.txt');
const ENTRIES = ['src/index.ts', 'src/testing/index.ts'].map((e) => path.join(ROOT, e));

// Run with UPDATE_API=1 to rewrite the snapshot after a deliberate change of the public surface; the
// diff of public-api.snapshot.txt is then what a reviewer reads.
describe('the public API', () => {
  const api = publicApi(ENTRIES, path.join(ROOT, 'tsconfig.json'));

  it('matches the checked-in report (every export, with its kind)', () => {
    const report = apiReport(api);
    if (process.env.UPDATE_API === '1') writeFileSync(SNAPSHOT, report);
    expect(report).toBe(readFileSync(SNAPSHOT, 'utf8'));
  });

  it('gives every export a doc comment', () => {
    const missing = [...api].flatMap(([entry, exports]) =>
      exports.filter((e) => e.doc === '').map((e) => `${entry}: ${e.name}`),
    );
    expect(missing).toEqual([]);
  });

  it('lists exactly what the built modules export at runtime', async () => {
    for (const [entry, exports] of api) {
      const module: Record<string, unknown> = await import(path.join(ROOT, entry));
      expect(Object.keys(module).sort(), entry).toEqual(
        exports
          .filter((e) => e.runtime)
          .map((e) => e.name)
          .sort(),
      );
    }
  });
});
