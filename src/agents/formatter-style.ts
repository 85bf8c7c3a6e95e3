import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How the project's formatter wants an agent file's front matter. Prettier and oxfmt read it as
 * YAML front matter and remove a blank line after the opening `---`; Biome (2.6) reads the `---` as
 * a thematic break and inserts one. No file satisfies both, so Orchestra follows the project.
 */
export type FrontMatterStyle = 'prettier' | 'biome';

const PRETTIER_CONFIGS = [
  '.prettierrc',
  '.prettierrc.json',
  '.prettierrc.yaml',
  '.prettierrc.yml',
  '.prettierrc.js',
  '.prettierrc.cjs',
  '.prettierrc.mjs',
  'prettier.config.js',
  'prettier.config.cjs',
  'prettier.config.mjs',
  '.oxfmtrc.json',
  '.oxfmtrc.jsonc',
];

/**
 * The front matter style of the project at `root`: Biome's when the project uses Biome (a
 * `biome.json(c)` or the `@biomejs/biome` package) and neither Prettier nor oxfmt; else Prettier's,
 * which markdownlint, Prettier, oxfmt and Claude Code all accept.
 */
export function frontMatterStyle(root: string): FrontMatterStyle {
  const deps = manifestDeps(root);
  const biome =
    existsSync(join(root, 'biome.json')) ||
    existsSync(join(root, 'biome.jsonc')) ||
    deps.has('@biomejs/biome');
  const prettier =
    PRETTIER_CONFIGS.some((f) => existsSync(join(root, f))) || deps.has('prettier') || deps.has('oxfmt');
  return biome && !prettier ? 'biome' : 'prettier';
}

function manifestDeps(root: string): Set<string> {
  try {
    const raw = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    const names = ['dependencies', 'devDependencies'].flatMap((k) =>
      raw[k] && typeof raw[k] === 'object' ? Object.keys(raw[k] as object) : [],
    );
    const prettierKey = 'prettier' in raw ? ['prettier'] : [];
    return new Set([...names, ...prettierKey]);
  } catch {
    return new Set();
  }
}

/** An agent file (written in Prettier's style) in the given style. */
export function styleFrontMatter(text: string, style: FrontMatterStyle): string {
  if (style === 'prettier' || !text.startsWith('---\n') || text.startsWith('---\n\n')) return text;
  return `---\n\n${text.slice(4)}`;
}
