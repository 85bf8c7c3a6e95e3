import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** One file of the project's memory, in the order Claude Code reads them. */
export interface MemoryFile {
  /** Path relative to the project root when inside it, else absolute. */
  path: string;
  /** The file that imported it (`@path`), absent for a top-level memory file. */
  importedBy?: string;
  text: string;
}

/** Settings of `loadProjectMemory`. */
export interface ProjectMemorySettings {
  /** The project directory (a task's worktree, or the repository root). */
  root: string;
  /** For `@~/…` imports (default: the OS home). */
  homeDir?: string;
}

/** Top-level project memory files Claude Code loads from a project directory. */
const MEMORY_FILES = ['CLAUDE.md', '.claude/CLAUDE.md', 'CLAUDE.local.md'] as const;
/** Claude Code follows imports at most this deep. */
const MAX_IMPORT_DEPTH = 5;
const MAX_FILE_BYTES = 256 * 1024;
/** `@path` at the start of a line or after whitespace (an e-mail address is not an import). */
const IMPORT = /(?:^|\s)@((?:[^\s\\]|\\ )+)/g;

/**
 * The project's memory as Claude Code loads it with project settings on: `CLAUDE.md`,
 * `.claude/CLAUDE.md` and `CLAUDE.local.md` of the project directory, each followed by the files it
 * imports with `@path` (relative to the importing file, `~/` for the home; not inside code; up to
 * five hops; each file once). Orchestra reads it itself because `settingSources: ['project']` would
 * also run the project's hooks and settings (verified with the real binary).
 */
export function loadProjectMemory(s: ProjectMemorySettings): MemoryFile[] {
  const root = resolve(s.root);
  const home = s.homeDir ?? homedir();
  const seen = new Set<string>();
  const out: MemoryFile[] = [];
  const label = (abs: string) => {
    const rel = relative(root, abs);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
  };
  const visit = (abs: string, depth: number, importedBy: string | undefined) => {
    if (seen.has(abs)) return;
    const text = readText(abs);
    if (text === undefined) return;
    seen.add(abs);
    out.push({ path: label(abs), ...(importedBy ? { importedBy } : {}), text });
    if (depth >= MAX_IMPORT_DEPTH) return;
    for (const target of importsOf(text)) {
      const expanded = target.startsWith('~/') ? join(home, target.slice(2)) : target;
      visit(resolve(dirname(abs), expanded), depth + 1, label(abs));
    }
  };
  for (const f of MEMORY_FILES) visit(join(root, f), 0, undefined);
  return out;
}

/** The `@path` imports of a memory file, outside fenced code blocks and inline code. */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) continue;
    const prose = line.replace(/`[^`]*`/g, ' ');
    for (const m of prose.matchAll(IMPORT)) {
      const target = (m[1] ?? '').replace(/\\ /g, ' ').replace(/[.,;:)]+$/, '');
      if (target && !target.includes('@')) out.push(target);
    }
  }
  return out;
}

function readText(abs: string): string | undefined {
  try {
    const st = statSync(abs);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
    const text = readFileSync(abs, 'utf8');
    return text.includes('\0') ? undefined : text;
  } catch {
    return undefined;
  }
}

/** The memory as one packet section: each file under its own heading, its text once. */
export function renderProjectMemory(files: readonly MemoryFile[]): string {
  if (files.length === 0) return '';
  const lines = ['# Project instructions (CLAUDE.md and the files it imports)'];
  for (const f of files) {
    lines.push('', `## ${f.path}${f.importedBy ? ` (imported by ${f.importedBy})` : ''}`, f.text.trim());
  }
  return lines.join('\n');
}
