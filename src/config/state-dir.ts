import { createHash } from 'node:crypto';
import { homedir as osHomedir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { loadConfig } from './load.js';

/** The environment variable that sets Orchestra's state directory (wins over the config file). */
export const STATE_DIR_ENV = 'ORCHESTRA_STATE_DIR';

/** What the state directory is resolved from; everything that touches the world can be given. */
export interface StateDirSettings {
  /** The repository root (its `orchestra.config.json` may set `stateDir`). */
  root: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homedir?: string;
  /** The configured `stateDir`; default: read from the root's `orchestra.config.json`. */
  configured?: string | undefined;
}

/**
 * The per-user state directory of the platform: `$XDG_STATE_HOME/orchestra` or
 * `~/.local/state/orchestra` on Linux and other Unixes, `~/Library/Application Support/orchestra`
 * on macOS, `%LOCALAPPDATA%\orchestra` on Windows.
 */
export function platformStateDir(
  s: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform; homedir?: string } = {},
): string {
  const env = s.env ?? process.env;
  const platform = s.platform ?? process.platform;
  const home = s.homedir ?? env.HOME ?? osHomedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'orchestra');
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'orchestra');
  const xdg = env.XDG_STATE_HOME;
  // The XDG spec says a relative value is invalid and must be ignored.
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.local', 'state'), 'orchestra');
}

/**
 * Orchestra's state directory for the repository at `root`: ORCHESTRA_STATE_DIR, else `stateDir`
 * of the config (relative to the root), else the platform's per-user state directory. A directory
 * inside the repository is refused: worktrees there would be seen by the user's tools.
 */
export function resolveStateDir(s: StateDirSettings): string {
  const env = s.env ?? process.env;
  const fromEnv = env[STATE_DIR_ENV];
  const configured = 'configured' in s ? s.configured : loadConfig(s.root).stateDir;
  const dir = fromEnv
    ? resolve(fromEnv)
    : configured
      ? resolve(s.root, configured)
      : platformStateDir({
          env,
          ...(s.platform ? { platform: s.platform } : {}),
          ...(s.homedir ? { homedir: s.homedir } : {}),
        });
  const rel = relative(resolve(s.root), dir);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)))
    throw new UserError(
      'state-dir-inside-repository',
      `Orchestra's state directory ${dir} is inside the repository ${s.root}; worktrees there would be seen by your test runners and type checkers. Set ${fromEnv ? STATE_DIR_ENV : '"stateDir" in orchestra.config.json'} to a directory outside it, or unset it`,
    );
  return dir;
}

/** A directory name for the repository: its folder name and a hash of its path (two clones never share one). */
export function repoStateName(root: string): string {
  const name = basename(root).replace(/[^A-Za-z0-9._-]/g, '_') || 'repo';
  return `${name}-${createHash('sha256').update(resolve(root)).digest('hex').slice(0, 10)}`;
}

/** Where a run's worktrees live: `<state>/worktrees/<repo>-<hash>/<run-id>`. */
export function runWorktreesDir(s: StateDirSettings & { runId: string }): string {
  return join(resolveStateDir(s), 'worktrees', repoStateName(s.root), s.runId);
}
