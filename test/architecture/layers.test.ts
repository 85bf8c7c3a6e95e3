import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ARCHITECTURE_MD, layerDiagram, withDiagram } from './diagram.js';
import { checkLayers, declarationCycles, type LayerViolation } from './import-graph.js';
import { FORBIDDEN_PACKAGES, LAYERS, type Layer } from './layers.js';

const SRC = path.resolve(import.meta.dirname, '../../src');
const DIST = path.resolve(import.meta.dirname, '../../dist');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (prefix: string) => {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
/** A source tree from `{ 'hub/index.ts': '...' }`. */
const tree = (files: Record<string, string>) => {
  const root = tempDir('orchestra-layers-');
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
};
const kinds = (v: LayerViolation[]) => v.map((x) => x.kind);

describe('the layer rules of src/', () => {
  it('hold: no upward or deep import, no folder cycle, no test tool in product code', () => {
    const violations = checkLayers({ root: SRC, layers: LAYERS, forbiddenPackages: FORBIDDEN_PACKAGES });
    expect(violations.map((v) => v.message)).toEqual([]);
  });

  it('declare every folder of src/, only declared layers, and no cycle', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory() || (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')))
      .map((e) => e.name.replace(/\.ts$/, ''))
      .sort();
    expect(Object.keys(LAYERS).sort()).toEqual(folders);
    const layers: Record<string, Layer> = LAYERS;
    for (const [name, layer] of Object.entries(layers))
      for (const to of layer.imports) expect(layers[to], `${name} → ${to}`).toBeDefined();
    expect(declarationCycles(LAYERS)).toEqual([]);
  });
});

describe('the declared faces', () => {
  it("re-export only what the layer's index.ts exports", async () => {
    const layers: Record<string, Layer> = LAYERS;
    for (const [name, layer] of Object.entries(layers))
      for (const face of layer.faces ?? []) {
        if (face === 'index.ts') continue;
        const index: Record<string, unknown> = await import(path.join(SRC, name, 'index.ts'));
        const light: Record<string, unknown> = await import(path.join(SRC, name, face));
        for (const [key, value] of Object.entries(light))
          expect(index[key], `${name}/${face}: ${key}`).toBe(value);
      }
  });
});

describe('docs/architecture.md', () => {
  it('shows the declared layer graph (run `npm run diagram` after changing layers.ts)', () => {
    const text = readFileSync(ARCHITECTURE_MD, 'utf8');
    expect(text).toBe(withDiagram(text, layerDiagram(LAYERS)));
  });
});

describe('the rule engine', () => {
  const layers = {
    top: { about: 'top', imports: ['low'] },
    low: { about: 'low', imports: [] },
  };
  const check = (root: string) => checkLayers({ root, layers, forbiddenPackages: ['vitest'] });

  it('accepts a downward import through the index', () => {
    const root = tree({
      'top/a.ts': "import { x } from '../low/index.js';\nexport const a = x;\n",
      'low/index.ts': "export { x } from './x.js';\n",
      'low/x.ts': 'export const x = 1;\n',
    });
    expect(check(root)).toEqual([]);
  });

  it('refuses an upward import, also a type-only or lazy one', () => {
    for (const line of [
      "import { a } from '../top/index.js';",
      "import type { A } from '../top/index.js';",
      "export const f = () => import('../top/index.js');",
    ]) {
      const root = tree({ 'top/index.ts': 'export const a = 1;\n', 'low/index.ts': `${line}\n` });
      expect(kinds(check(root)), line).toEqual(['upward']);
    }
  });

  it('refuses a deep import past the index', () => {
    const root = tree({
      'top/a.ts': "import { x } from '../low/x.js';\n",
      'low/index.ts': "export { x } from './x.js';\n",
      'low/x.ts': 'export const x = 1;\n',
    });
    const v = check(root);
    expect(kinds(v)).toEqual(['deep']);
    expect(v[0]?.message).toMatch(
      /top\/a\.ts imports '\.\.\/low\/x\.js': import low through index\.ts, not low\/x\.ts/,
    );
  });

  it('accepts a declared second face, and only that one', () => {
    const withFace = { ...layers, low: { about: 'low', imports: [], faces: ['index.ts', 'light.ts'] } };
    const root = tree({
      'top/a.ts': "import { x } from '../low/light.js';\nimport { y } from '../low/y.js';\n",
      'low/light.ts': "export { x } from './x.js';\n",
      'low/x.ts': 'export const x = 1;\n',
      'low/y.ts': 'export const y = 1;\n',
    });
    const v = checkLayers({ root, layers: withFace });
    expect(v.map((x) => x.message)).toEqual([
      "top/a.ts imports '../low/y.js': import low through index.ts or light.ts, not low/y.ts",
    ]);
  });

  it('reports a cycle between folders', () => {
    const root = tree({
      'top/index.ts': "import { x } from '../low/index.js';\nexport const a = x;\n",
      'low/index.ts': "import { a } from '../top/index.js';\nexport const x = a;\n",
    });
    const v = check(root);
    expect(kinds(v).sort()).toEqual(['cycle', 'upward']);
    expect(v.find((x) => x.kind === 'cycle')?.message).toMatch(/low ↔ top/);
  });

  it('refuses a test tool in product code, and an undeclared folder', () => {
    const root = tree({
      'low/index.ts': "import { it } from 'vitest';\nimport { y } from '../extra/index.js';\n",
      'extra/index.ts': 'export const y = 1;\n',
      'low/index.test.ts': "import { it } from 'vitest';\n",
    });
    expect(kinds(check(root)).sort()).toEqual(['forbidden-package', 'unknown-layer']);
  });

  it('fails on a copy of src/ with an upward, a deep and a cyclic import planted', () => {
    const copy = path.join(tempDir('orchestra-layers-copy-'), 'src');
    cpSync(SRC, copy, { recursive: true, filter: (p) => !p.endsWith('.test.ts') });
    const plant = (file: string, line: string) =>
      writeFileSync(path.join(copy, file), `${line}\n${readFileSync(path.join(copy, file), 'utf8')}`);
    const run = () => checkLayers({ root: copy, layers: LAYERS, forbiddenPackages: FORBIDDEN_PACKAGES });
    expect(run()).toEqual([]);
    // The hub reaching up into the orchestrator: the import that once made hub ↔ orchestrator a cycle.
    plant('hub/runs.ts', "import type { PlanReport } from '../orchestrator/index.js';");
    // The engine reaching past the executor's index.
    plant('run/budget.ts', "import type { TaskCommit } from '../executor/worktree-commit.js';");
    const v = run();
    expect(v.find((x) => x.kind === 'upward')?.message).toMatch(
      /hub\/runs\.ts .* hub may not import orchestrator/,
    );
    expect(v.find((x) => x.kind === 'deep')?.message).toMatch(/run\/budget\.ts .*worktree-commit/);
    expect(v.find((x) => x.kind === 'cycle')?.message).toMatch(/hub ↔ orchestrator/);
  });
});

describe('dist/', () => {
  // `npm test` builds first; a checkout that never built has nothing to check.
  it.skipIf(!existsSync(DIST))('contains no import of a test tool', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (
          /\.(js|d\.ts)$/.test(e.name) &&
          /from\s+['"](vitest|@vitest\/[^'"]*)['"]|import\(\s*['"]vitest/.test(readFileSync(p, 'utf8'))
        )
          offenders.push(path.relative(DIST, p));
      }
    };
    walk(DIST);
    expect(offenders).toEqual([]);
  });
});
