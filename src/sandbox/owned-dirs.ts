import { existsSync, mkdirSync, realpathSync } from 'node:fs';
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

/**
 * Private layers for the worktree's `node_modules` (its own, or the main checkout's it links to):
 * each cache directory is created if missing and gets an empty writable layer inside the sandbox,
 * so the shared directory itself stays read-only.
 */
export function nodeModulesPrivateDirs(worktree: string): string[] {
  const nm = path.join(worktree, 'node_modules');
  if (!existsSync(nm)) return [];
  const real = realpathSync(nm);
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
  return out;
}
