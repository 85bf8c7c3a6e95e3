import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrchestraError, UserError } from '../errors.js';

/** This package's root: it holds the marketplace (`.claude-plugin/marketplace.json`) and `plugin/`. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The plugin directory shipped in the package (for `claude --plugin-dir`). */
export const PLUGIN_DIR = join(PACKAGE_ROOT, 'plugin');
/** The plugin's id in Claude Code: `<plugin>@<marketplace>`. */
export const PLUGIN_ID = 'orchestra@orchestra';

/** Where an install is declared, as Claude Code's `--scope` names it. */
export type PluginScope = 'project' | 'local' | 'user';

/** Settings of `installPlugin`; the binary and its environment are injectable for tests. */
export interface PluginInstallSettings {
  cwd: string;
  scope?: PluginScope;
  env?: NodeJS.ProcessEnv;
  /** The Claude Code binary (default: the one the Agent SDK ships, else `claude` on PATH). */
  claude?: string;
}

/** What an install did. */
export interface PluginInstallReport {
  plugin: string;
  scope: PluginScope;
  marketplace: string;
  claude: string;
  /** The settings file that tells the plugin where this Orchestra package is (`env.ORCHESTRA_HOME`). */
  settingsFile: string;
  output: string;
}

/** The Claude Code binary the Agent SDK ships for this platform, or `claude` (found on PATH). */
export function claudeBinary(): string {
  const require = createRequire(import.meta.url);
  const base = `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}`;
  for (const pkg of process.platform === 'linux' ? [base, `${base}-musl`] : [base]) {
    try {
      const bin = join(
        dirname(require.resolve(`${pkg}/package.json`)),
        process.platform === 'win32' ? 'claude.exe' : 'claude',
      );
      if (existsSync(bin)) return bin;
    } catch {
      // Not installed for this platform: try the next one.
    }
  }
  return 'claude';
}

/**
 * Install the Orchestra plugin for a project the way Claude Code does it (`claude plugin install
 * orchestra --marketplace <this package> --scope <scope>`: the marketplace is added, the plugin
 * copied to Claude Code's cache and enabled in the scope's settings), then record this package's
 * directory as `env.ORCHESTRA_HOME` in `.claude/settings.local.json`, so the cached copy finds the
 * package even when it is not a dependency of the project.
 */
export function installPlugin(s: PluginInstallSettings): PluginInstallReport {
  const scope = s.scope ?? 'project';
  const claude = s.claude ?? claudeBinary();
  const env = { ...(s.env ?? process.env) };
  delete env.CLAUDECODE;
  const r = spawnSync(
    claude,
    ['plugin', 'install', 'orchestra', '--marketplace', PACKAGE_ROOT, '--scope', scope],
    {
      cwd: s.cwd,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.error)
    throw new OrchestraError(
      'claude-not-found',
      `cannot run Claude Code (${claude}): ${r.error.message}; install it (npm install -g @anthropic-ai/claude-code) or load the plugin with claude --plugin-dir ${PLUGIN_DIR}`,
    );
  if (r.status !== 0)
    throw new UserError(
      'plugin-install-failed',
      `claude plugin install failed (exit ${String(r.status)}): ${output.split('\n').slice(-3).join(' ')}`,
    );
  const settingsFile = join(s.cwd, '.claude', 'settings.local.json');
  writeOrchestraHome(settingsFile);
  return { plugin: PLUGIN_ID, scope, marketplace: PACKAGE_ROOT, claude, settingsFile, output };
}

/** Set `env.ORCHESTRA_HOME` in a Claude Code settings file, keeping everything else in it. */
function writeOrchestraHome(file: string): void {
  let settings: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) settings = v as Record<string, unknown>;
      else throw new Error('not an object');
    } catch (e) {
      throw new UserError(
        'bad-settings',
        `${file} is not a JSON object (${(e as Error).message}); fix it, then run orchestra plugin install again`,
      );
    }
  }
  const env = (typeof settings.env === 'object' && settings.env !== null ? settings.env : {}) as Record<
    string,
    unknown
  >;
  settings.env = { ...env, ORCHESTRA_HOME: PACKAGE_ROOT.replace(/[/\\]$/, '') };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);
}
