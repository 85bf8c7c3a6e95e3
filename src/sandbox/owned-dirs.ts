import { existsSync, lstatSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { expandBraces, normalizeGlob } from '../domain/index.js';

const GLOB_CHARS = /[*?[\]{}()!+@]/;

/**
 * The directories of the worktree a task may write, narrowed from its ownership globs: the literal
 * part of each glob (`src/api/**` → `src/api`, `src/*.ts` → `src`, `src/api/index.ts` → `src/api`).
 * A glob whose literal part is the root (`*.md`, `package.json`) opens the whole worktree. Nested
 * directories are folded into their parent. The scope check still decides file by file.
 */
export function ownedDirs(worktree: string, owns: readonly string[]): string[] {
  const rels = new Set<string>();
  for (const glob of owns) {
    for (const g of expandBraces(normalizeGlob(glob))) {
      const segs = g.split('/');
      const literal: string[] = [];
      for (const s of segs.slice(0, -1)) {
        if (GLOB_CHARS.test(s)) break;
        literal.push(s);
      }
      // A plain file path gives its directory: editors write a temporary file and rename it.
      const rel = literal.join('/');
      if (rel === '' || rel === '.' || literal.includes('..')) return [worktree];
      rels.add(rel);
    }
  }
  const sorted = [...rels].sort();
  const kept = sorted.filter((r) => !sorted.some((o) => o !== r && r.startsWith(`${o}/`)));
  return kept.map((r) => path.join(worktree, r));
}

/** Create each directory (so it can be bound) and return real paths. */
export function ensureDirs(dirs: readonly string[]): string[] {
  return dirs.map((d) => {
    if (!existsSync(d)) mkdirSync(d, { recursive: true });
    return realpathSync(d);
  });
}

/** Caches that tools write inside a shared `node_modules` (vitest/vite load their config there). */
export const NODE_MODULES_PRIVATE_DIRS = ['.vite-temp', '.vite', '.vitest', '.cache'] as const;

/** Sandbox layers for a worktree's node_modules: bound writable as they are, or as empty private layers. */
export interface NodeModulesLayers {
  writable: string[];
  privateDirs: string[];
}

/**
 * What of the worktree's `node_modules` the sandbox makes writable. A real directory in the worktree
 * (Orchestra's copy of the checkout's packages, a directory of links to them, or the worktree's own
 * install) is the worktree's: all of it is writable, so tools that write into their own package
 * (vitest's type check writes `vitest/dist/*.tsbuildinfo`) work in a copy, and a write through a link
 * lands on the read-only checkout. A link to a whole shared node_modules stays read-only, but each
 * tool cache directory in it is created if missing and gets an empty writable layer.
 */
export function nodeModulesLayers(worktree: string): NodeModulesLayers {
  const nm = path.join(worktree, 'node_modules');
  if (!existsSync(nm)) return { writable: [], privateDirs: [] };
  const real = realpathSync(nm);
  if (!lstatSync(nm).isSymbolicLink()) return { writable: [real], privateDirs: [] };
  const out: string[] = [];
  for (const d of NODE_MODULES_PRIVATE_DIRS) {
    const p = path.join(real, d);
    try {
      if (!existsSync(p)) mkdirSync(p, { recursive: true });
      out.push(p);
    } catch {
      // A node_modules we cannot write: the tool will say what it misses.
    }
  }
  return { writable: [], privateDirs: out };
}
