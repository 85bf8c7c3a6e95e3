import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorktreeConfig } from '../config/index.js';
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

/** The file in a linked node_modules that says Orchestra made it (so commits leave it out). */
export const LINK_MARKER = '.orchestra-linked';

/**
 * Entries of the checkout's node_modules that tools write to while they run (vite/vitest's config
 * bundles, caches): each worktree gets its own instead of a link, so nothing is written into the
 * user's node_modules and worktrees never share a scratch file.
 */
const PRIVATE_ENTRIES = new Set(['.vite-temp', '.vite', '.vitest', '.cache', LINK_MARKER]);

/** How a worktree was made ready. */
export interface PreparedWorktree {
  /** linked: the checkout's packages; command: the setup command ran; none: nothing to do. */
  setup: 'linked' | 'command' | 'none';
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
  config: WorktreeConfig;
  env?: NodeJS.ProcessEnv;
  run?: CommandRunner;
  /** Setup command time limit (default 15 minutes). */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * Make a worktree ready to run the project's commands without a network install per worktree:
 * while its lockfile (or, without one, its package.json) equals the checkout's, the checkout's
 * installed packages are linked (`node_modules` is a directory of links, see `linkNodeModules`);
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
    await linkNodeModules(join(s.root, 'node_modules'), join(s.path, 'node_modules'));
    return {
      setup: 'linked',
      ok: true,
      ms: took(),
      ...(same ? {} : { detail: `${manifest} differs from the checkout's; linked anyway (runSetup: never)` }),
    };
  }
  const command = s.config.setup ?? lock?.setup ?? ['npm', 'install', '--no-audit', '--no-fund'];
  // Never let an install run through links into the user's node_modules.
  await removeLinkedNodeModules(join(s.path, 'node_modules'));
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

/**
 * Give `target` the packages of `source`: a real directory holding one symlink per entry of
 * `source` (scopes, `.bin` and npm's hidden lockfile included), so Node, TypeScript, npm scripts
 * and `npx` resolve exactly the checkout's packages, while what tools write into node_modules
 * (`.vite-temp`, `.cache`) stays in the worktree. Idempotent; an existing real install is kept.
 */
export async function linkNodeModules(source: string, target: string): Promise<void> {
  if (existsSync(target) && !existsSync(join(target, LINK_MARKER))) {
    // A symlink to the whole directory (earlier versions) is replaced; a real install is kept.
    if (!lstatSync(target).isSymbolicLink()) return;
    await rm(target, { force: true });
  }
  await mkdir(target, { recursive: true });
  await writeFile(join(target, LINK_MARKER), 'node_modules linked by Orchestra from the checkout\n');
  for (const name of await readdir(source)) {
    if (PRIVATE_ENTRIES.has(name)) continue;
    const link = join(target, name);
    if (existsSync(link) || isLink(link)) continue;
    await symlink(join(source, name), link, 'junction');
  }
}

/** Remove a node_modules that is (or is made of) links to the checkout's; a real install stays. */
async function removeLinkedNodeModules(target: string): Promise<void> {
  if (isLink(target)) await rm(target, { force: true });
  else if (existsSync(join(target, LINK_MARKER))) await rm(target, { recursive: true, force: true });
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}
