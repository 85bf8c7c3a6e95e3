import { type Dirent, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every `*.md` file under `dir`, recursively, sorted by path so loading is deterministic. A
 * missing directory has no files. Symlinked files count; symlinked directories are not followed
 * (a link cycle must not hang the loader).
 */
export function listMarkdownFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.md') && (e.isFile() || (e.isSymbolicLink() && isFile(path)))) out.push(path);
    }
  };
  walk(dir);
  return out.sort();
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
