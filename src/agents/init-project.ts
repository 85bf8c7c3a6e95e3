import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONFIG_FILE_NAME, CONFIG_TEMPLATE, projectRoot } from '../config/index.js';
import { frontMatterStyle, styleFrontMatter } from './formatter-style.js';
import { BUILTIN_AGENT_NAMES, BUILTIN_AGENTS_DIR } from './templates.js';

/** Settings of `initProject`. */
export interface InitProjectOptions {
  cwd: string;
  /** Overwrite agent files that differ from the templates. */
  force?: boolean;
  /** Where the templates are read from (tests); defaults to the package's. */
  templatesDir?: string;
}

/**
 * What happened to one file: `created`; `unchanged` (already identical); `kept` (differs and was
 * left alone without --force); `overwritten` (differed, replaced with --force); `updated` (.gitignore
 * gained the line).
 */
export type InitFileStatus = 'created' | 'unchanged' | 'kept' | 'overwritten' | 'updated';

/** One file `orchestra init` looked at. */
export interface InitFileReport {
  path: string;
  kind: 'agent' | 'gitignore' | 'config';
  status: InitFileStatus;
}

/** The result of `initProject`: the project root and every file with its status. */
export interface InitReport {
  root: string;
  files: InitFileReport[];
}

const IGNORE_LINE = '.orchestra/';
const IGNORE_EQUIVALENTS = new Set([
  '.orchestra',
  '.orchestra/',
  '/.orchestra',
  '/.orchestra/',
  '.orchestra/**',
]);

/**
 * Scaffold a project at the repository root holding `cwd` (or `cwd` itself outside a repository):
 * the built-in agents into `.claude/agents/`, `.orchestra/` into `.gitignore`, and a commented
 * `orchestra.config.json`. Idempotent: a second run changes nothing. A user's edited agent file is
 * replaced only with `force`; the configuration file is never replaced.
 */
export function initProject(options: InitProjectOptions): InitReport {
  const root = projectRoot(resolve(options.cwd));
  const templatesDir = options.templatesDir ?? BUILTIN_AGENTS_DIR;
  const agentsDir = join(root, '.claude', 'agents');
  mkdirSync(agentsDir, { recursive: true });
  const files: InitFileReport[] = [];
  // The front matter as the project's own formatter writes it, so its check stays green.
  const style = frontMatterStyle(root);

  for (const name of BUILTIN_AGENT_NAMES) {
    const template = styleFrontMatter(readFileSync(join(templatesDir, `${name}.md`), 'utf8'), style);
    const path = join(agentsDir, `${name}.md`);
    const existing = readIfExists(path);
    let status: InitFileStatus;
    if (existing === undefined) status = 'created';
    else if (existing === template) status = 'unchanged';
    else status = options.force ? 'overwritten' : 'kept';
    if (status === 'created' || status === 'overwritten') writeFileSync(path, template);
    files.push({ path, kind: 'agent', status });
  }

  const gitignore = join(root, '.gitignore');
  const ignore = readIfExists(gitignore);
  if (ignore === undefined) {
    writeFileSync(gitignore, `${IGNORE_LINE}\n`);
    files.push({ path: gitignore, kind: 'gitignore', status: 'created' });
  } else if (ignore.split(/\r?\n/).some((l) => IGNORE_EQUIVALENTS.has(l.trim()))) {
    files.push({ path: gitignore, kind: 'gitignore', status: 'unchanged' });
  } else {
    const sep = ignore === '' || ignore.endsWith('\n') ? '' : '\n';
    writeFileSync(gitignore, `${ignore}${sep}${IGNORE_LINE}\n`);
    files.push({ path: gitignore, kind: 'gitignore', status: 'updated' });
  }

  const config = join(root, CONFIG_FILE_NAME);
  if (existsSync(config)) {
    const same = readIfExists(config) === CONFIG_TEMPLATE;
    files.push({ path: config, kind: 'config', status: same ? 'unchanged' : 'kept' });
  } else {
    writeFileSync(config, CONFIG_TEMPLATE);
    files.push({ path: config, kind: 'config', status: 'created' });
  }
  return { root, files };
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
