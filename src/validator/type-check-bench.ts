import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProjectTypeChecker } from './type-check.js';

/** Timings of a cold project type check and of a second check after one file changed. */
export interface TypeCheckBench {
  files: number;
  coldMs: number;
  incrementalMs: number;
  /** incrementalMs ÷ coldMs. */
  incrementalRatio: number;
}

/**
 * Generate a project of `files` modules (each importing two earlier ones), type-check it cold,
 * change one module's body the way a merge would, and check again with the same checker.
 */
export function benchTypeCheck(settings: { files?: number; now?: () => number } = {}): TypeCheckBench {
  const files = settings.files ?? 300;
  const now = settings.now ?? (() => performance.now());
  const root = mkdtempSync(join(tmpdir(), 'orchestra-bench-tc-'));
  try {
    mkdirSync(join(root, 'src'));
    for (let i = 0; i < files; i++) writeFileSync(join(root, 'src', `m${i}.ts`), moduleText(i, 0));
    const checker = createProjectTypeChecker({ root });
    let t = now();
    const cold = checker.check();
    const coldMs = now() - t;
    if (cold.length > 0) throw new Error(`generated project has type errors: ${cold[0]?.message}`);
    const changed = Math.floor(files / 2);
    writeFileSync(join(root, 'src', `m${changed}.ts`), moduleText(changed, 1));
    t = now();
    checker.check();
    const incrementalMs = now() - t;
    return { files, coldMs, incrementalMs, incrementalRatio: incrementalMs / coldMs };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function moduleText(i: number, revision: number): string {
  const deps = [i - 1, Math.floor(i / 2) - 1].filter((d, k, a) => d >= 0 && a.indexOf(d) === k);
  return [
    ...deps.map((d) => `import { type Item${d}, make${d} } from './m${d}.js';`),
    `export interface Item${i} { id: string; n: number; tags: readonly string[]; parent?: ${deps.length ? `Item${deps[0]}` : 'undefined'} }`,
    `export function make${i}(id: string): Item${i} {`,
    `  const tags = ['${revision}', ...${deps.length ? `make${deps[0]}(id).tags` : '[]'}].map((t) => t.toUpperCase());`,
    `  const n = tags.reduce((acc, t) => acc + t.length, ${revision});`,
    `  return { id, n, tags${deps.length ? `, parent: make${deps[0]}(id)` : ''} };`,
    '}',
    ...deps.map((d) => `export const use${d}: Item${d} = make${d}('x');`),
    `export class Store${i} { private items = new Map<string, Item${i}>(); add(x: Item${i}): number { this.items.set(x.id, x); return this.items.size; } }`,
    '',
  ].join('\n');
}
