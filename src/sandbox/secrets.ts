import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where credentials live in a home directory: keys, cloud and cluster logins, git and registry
 * tokens, Claude Code's own login. The sandbox hides each that exists (an empty directory, an empty
 * file), so an agent's commands cannot read what its environment was cleaned of. Package managers'
 * settings (`.npmrc`, `.yarnrc.yml`) stay readable: installs of private packages need them.
 */
export const SECRET_DIRS = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.kube',
  '.docker',
  '.config/gh',
  '.password-store',
] as const;

/** Single files holding credentials (see SECRET_DIRS). */
export const SECRET_FILES = [
  '.netrc',
  '.git-credentials',
  '.pypirc',
  '.claude.json',
  '.claude/.credentials.json',
  '.config/hub',
] as const;

/** One path to hide, as a directory or a file. */
export interface HiddenPath {
  path: string;
  kind: 'dir' | 'file';
}

/**
 * The credential paths of `home` (and of `CLAUDE_CONFIG_DIR`) that exist, leaving out any that
 * holds a path the sandboxed process needs (`keep`: its worktree, writable and read-only binds,
 * Orchestra's own package — a plugin installed under the Claude config dir, for one).
 */
export function secretPaths(
  keep: readonly string[],
  home = os.homedir(),
  env: NodeJS.ProcessEnv = process.env,
): HiddenPath[] {
  const candidates = [
    ...SECRET_DIRS.map((p) => path.join(home, p)),
    ...SECRET_FILES.map((p) => path.join(home, p)),
    ...(env.CLAUDE_CONFIG_DIR ? [path.join(env.CLAUDE_CONFIG_DIR, '.credentials.json')] : []),
  ];
  const out: HiddenPath[] = [];
  for (const p of new Set(candidates)) {
    let kind: HiddenPath['kind'];
    try {
      if (!existsSync(p)) continue;
      kind = statSync(p).isDirectory() ? 'dir' : 'file';
    } catch {
      continue;
    }
    if (keep.some((k) => k === p || k.startsWith(`${p}${path.sep}`))) continue;
    out.push({ path: p, kind });
  }
  return out;
}
