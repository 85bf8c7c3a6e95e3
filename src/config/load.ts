import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJson, parseWith } from '../domain/index.js';
import { UserError } from '../errors.js';
import { projectRoot } from './repo-root.js';
import { configSchema, defaultConfig, type OrchestraConfig } from './schema.js';
import { lineColumnAt, stripJsonComments } from './strip-comments.js';

/** The name of the project configuration file, at the repository root. */
export const CONFIG_FILE_NAME = 'orchestra.config.json';

/**
 * Parse the text of a configuration file (comments and trailing commas allowed). `path` only
 * names the file in errors. Throws a UserError saying where the file is wrong.
 */
export function parseConfigText(text: string, path: string): OrchestraConfig {
  const stripped = stripJsonComments(text.replace(/^\uFEFF/, ''));
  const json = parseJson(stripped);
  if (!json.success) {
    const position = /position (\d+)/.exec(json.error);
    const where = position ? lineColumnAt(stripped, Number(position[1])) : undefined;
    const at = where ? `:${where.line}:${where.column}` : '';
    const reason = json.error
      .replace(/\s*\(line \d+ column \d+\)$/, '')
      .replace(/ in JSON at position \d+/, '');
    throw new UserError(
      'bad-config',
      `${path}${at}: invalid JSON: ${reason}. Fix the file or delete it to use the defaults.`,
    );
  }
  const parsed = parseWith(configSchema, json.value);
  if (!parsed.success) {
    const lines = parsed.issues.map((i) => `  ${i.path || '(top level)'}: ${i.message}`).join('\n');
    throw new UserError('bad-config', `${path} is not a valid Orchestra configuration:\n${lines}`);
  }
  return parsed.value;
}

/** Read and parse one configuration file; a missing or unreadable file is a UserError. */
export function readConfigFile(path: string): OrchestraConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError('bad-config', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  return parseConfigText(text, path);
}

/** Where the configuration file of the project holding `cwd` is (whether or not it exists). */
export function configPath(cwd: string): string {
  return join(projectRoot(cwd), CONFIG_FILE_NAME);
}

/**
 * The configuration of the project holding `cwd`: `orchestra.config.json` at the repository root
 * (or in `cwd` outside a repository), else the defaults.
 */
export function loadConfig(cwd: string): OrchestraConfig {
  const path = configPath(cwd);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return defaultConfig();
    throw new UserError('bad-config', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  return parseConfigText(text, path);
}
