import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { Layer } from './layers.js';

/** One import of a product file, resolved to the layer it reaches. */
export interface ImportEdge {
  /** Path of the importing file, relative to the source root (`run/engine.ts`). */
  file: string;
  specifier: string;
  fromLayer: string;
  /** The imported file relative to the source root, or null for a package. */
  target: string | null;
  toLayer: string | null;
}

/** A broken rule, with the file and import that break it. */
export interface LayerViolation {
  kind: 'upward' | 'deep' | 'cycle' | 'unknown-layer' | 'forbidden-package';
  message: string;
}

/** Settings of `checkLayers`. */
export interface CheckLayersSettings {
  /** The source root (`src/`). */
  root: string;
  layers: Readonly<Record<string, Layer>>;
  forbiddenPackages?: readonly string[];
  /** Files the rules do not apply to (default: test files). */
  ignore?: (relativePath: string) => boolean;
}

const isTest = (p: string) => /\.test\.ts$/.test(p) || p.split('/').includes('fixtures');

/** The `.ts` files under `root`, relative, with `/` separators. */
export function sourceFiles(root: string, ignore: (p: string) => boolean = isTest): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      const rel = path.relative(root, abs).split(path.sep).join('/');
      if (e.isDirectory()) walk(abs);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !ignore(rel)) out.push(rel);
    }
  };
  walk(root);
  return out.sort();
}

/** The layer of a file: its top folder, or for a file at the root its name (`errors.ts` → `errors`). */
export function layerOf(relativePath: string): string {
  const [first, ...rest] = relativePath.split('/');
  return rest.length ? (first ?? '') : (first ?? '').replace(/\.ts$/, '');
}

/** Every import, re-export and `import()` of every product file (type-only ones included). */
export function importEdges(root: string, ignore?: (p: string) => boolean): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(root, ignore)) {
    const text = readFileSync(path.join(root, file), 'utf8');
    const info = ts.preProcessFile(text, true, true);
    for (const ref of info.importedFiles) {
      const specifier = ref.fileName;
      const fromLayer = layerOf(file);
      if (!specifier.startsWith('.')) {
        edges.push({ file, specifier, fromLayer, target: null, toLayer: null });
        continue;
      }
      const target = path.posix
        .normalize(path.posix.join(path.posix.dirname(file), specifier))
        .replace(/\.js$/, '.ts');
      edges.push({ file, specifier, fromLayer, target, toLayer: layerOf(target) });
    }
  }
  return edges;
}

/** The folder-level graph: which layers import which (from the edges). */
export function layerGraph(edges: readonly ImportEdge[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.toLayer === null || e.toLayer === e.fromLayer) continue;
    const out = graph.get(e.fromLayer) ?? new Set<string>();
    out.add(e.toLayer);
    graph.set(e.fromLayer, out);
  }
  return graph;
}

/** Strongly connected components with more than one member (Tarjan), each sorted. */
export function cyclesOf(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const nodes = new Set([...graph.keys(), ...[...graph.values()].flatMap((s) => [...s])]);
  const visit = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!indexOf.has(v)) visit(v);
  return found;
}

/**
 * Check the imports under `root` against the declared layers: a layer imports only the layers it
 * declares, and only through their `index.ts` (a root file is its own face); no cycle between
 * folders; no test tool in product code.
 */
export function checkLayers(s: CheckLayersSettings): LayerViolation[] {
  const edges = importEdges(s.root, s.ignore);
  const violations: LayerViolation[] = [];
  for (const e of edges) {
    const at = `${e.file} imports '${e.specifier}'`;
    if (e.toLayer === null) {
      const bad = s.forbiddenPackages?.find(
        (p) => e.specifier === p || e.specifier.startsWith(p.endsWith('/') ? p : `${p}/`),
      );
      if (bad)
        violations.push({ kind: 'forbidden-package', message: `${at}: product code must not import ${bad}` });
      continue;
    }
    if (e.toLayer === e.fromLayer) continue;
    const from = s.layers[e.fromLayer];
    if (!from) {
      violations.push({ kind: 'unknown-layer', message: `${at}: layer "${e.fromLayer}" is not declared` });
      continue;
    }
    if (!s.layers[e.toLayer])
      violations.push({ kind: 'unknown-layer', message: `${at}: layer "${e.toLayer}" is not declared` });
    else if (!from.imports.includes(e.toLayer))
      violations.push({
        kind: 'upward',
        message: `${at}: ${e.fromLayer} may not import ${e.toLayer} (it may import: ${from.imports.join(', ') || 'nothing'})`,
      });
    const faces = (s.layers[e.toLayer]?.faces ?? ['index.ts']).map((f) => `${e.toLayer}/${f}`);
    if (e.target !== `${e.toLayer}.ts` && !faces.includes(e.target ?? ''))
      violations.push({
        kind: 'deep',
        message: `${at}: import ${e.toLayer} through ${faces.map((f) => f.replace(/^[^/]+\//, '')).join(' or ')}, not ${e.target}`,
      });
  }
  for (const cycle of cyclesOf(layerGraph(edges)))
    violations.push({ kind: 'cycle', message: `folders import each other in a cycle: ${cycle.join(' ↔ ')}` });
  return violations;
}

/** Cycles in the declaration itself (it must be a DAG for "no upward arrow" to mean anything). */
export function declarationCycles(layers: Readonly<Record<string, Layer>>): string[][] {
  return cyclesOf(new Map(Object.entries(layers).map(([k, v]) => [k, new Set(v.imports)])));
}
