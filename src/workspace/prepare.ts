import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorktreeConfig } from '../config/index.js';
import { removeSharedNodeModules, shareNodeModules } from './packages.js';
import { type CommandRunner, runCommand } from './run-command.js';

/** Lockfiles by package manager, in the order they are looked for, with the install that honours each. */
export const LOCKFILES: ReadonlyArray<{ file: string; setup: readonly string[] }> = [
  { file: 'package-lock.json', setup: ['npm', 'ci', '--no-audit', '--no-fund'] },
  { file: 'npm-shrinkwrap.json', setup: ['npm', 'ci', '--no-audit', '--no-fund'] },
  { file: 'pnpm-lock.yaml', setup: ['pnpm', 'install', '--frozen-lockfile'] },
  { file: 'yarn.lock', setup: ['yarn', 'install', '--frozen-lockfile'] },
  { file: 'bun.lock', setup: ['bun', 'install', '--frozen-lockfile'] },
  { file: 'bun.lockb', setup: ['bun', 'install', '--frozen-lockfile'] },
];

/** How a worktree was made ready. */
export interface PreparedWorktree {
  /** copied / linked: the checkout's packages; command: the setup command ran; none: nothing to do. */
  setup: 'copied' | 'linked' | 'command' | 'none';
  command?: string[];
  ok: boolean;
  ms: number;
  /** Why nothing was done, or the end of a failed command's output. */
  detail?: string;
}

/** What `prepareWorktree` needs; what touches the world can be injected. */
export interface PrepareSettings {
  /** The user's checkout, whose installed node_modules is reused. */
  root: string;
  /** The worktree to make ready. */
  path: string;
  /** `packages` defaults to auto. */
  config: Omit<WorktreeConfig, 'packages'> & Partial<Pick<WorktreeConfig, 'packages'>>;
  env?: NodeJS.ProcessEnv;
  run?: CommandRunner;
  /** Setup command time limit (default 15 minutes). */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * Make a worktree ready to run the project's commands without a network install per worktree:
 * while its lockfile (or, without one, its package.json) equals the checkout's, the checkout's
 * installed packages are shared (copied or linked, see `shareNodeModules`);
 * where it differs, or when `runSetup` is `always`, the setup command runs in the worktree.
 */
export async function prepareWorktree(s: PrepareSettings): Promise<PreparedWorktree> {
  const now = s.now ?? Date.now;
  const started = now();
  const took = () => now() - started;
  if (!existsSync(join(s.path, 'package.json')))
    return { setup: 'none', ok: true, ms: took(), detail: 'no package.json' };
  const lock = LOCKFILES.find((l) => existsSync(join(s.path, l.file)));
  const manifest = lock?.file ?? 'package.json';
  const same = sameFile(join(s.root, manifest), join(s.path, manifest));
  const installed = existsSync(join(s.root, 'node_modules'));
  const mode = s.config.runSetup;
  if (mode === 'never' || (mode === 'lockfile-changed' && same)) {
    if (!installed)
      return { setup: 'none', ok: true, ms: took(), detail: 'the checkout has no node_modules to reuse' };
    const shared = await shareNodeModules(
      join(s.root, 'node_modules'),
      join(s.path, 'node_modules'),
      s.config.packages ? { mode: s.config.packages } : {},
    );
    const notes = [
      shared.detail,
      same ? undefined : `${manifest} differs from the checkout's; shared anyway (runSetup: never)`,
    ];
    const detail = notes.filter(Boolean).join('; ');
    return { setup: shared.kind, ok: true, ms: took(), ...(detail ? { detail } : {}) };
  }
  const command = s.config.setup ?? lock?.setup ?? ['npm', 'install', '--no-audit', '--no-fund'];
  // Never let an install run through links into the user's node_modules.
  await removeSharedNodeModules(join(s.path, 'node_modules'));
  const r = await (s.run ?? runCommand)(command, {
    cwd: s.path,
    ...(s.env ? { env: s.env } : {}),
    timeoutMs: s.timeoutMs ?? 15 * 60_000,
  });
  const ok = r.code === 0 && !r.timedOut;
  return {
    setup: 'command',
    command: [...command],
    ok,
    ms: took(),
    ...(ok
      ? { detail: same ? 'runSetup: always' : `${manifest} differs from the checkout's` }
      : {
          detail: `${command.join(' ')} ${r.timedOut ? 'timed out' : `exited ${r.code}`}: ${r.output.slice(-1_000)}`,
        }),
  };
}

function sameFile(a: string, b: string): boolean {
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}
