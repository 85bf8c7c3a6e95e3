import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { cp, lstat, mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackagesMode } from '../config/index.js';

/** The file in a node_modules Orchestra made (copied or linked), so commits leave it out. */
export const LINK_MARKER = '.orchestra-linked';

/** Above this many bytes of packages, `auto` links instead of copying. */
export const COPY_LIMIT_BYTES = 512 * 1024 ** 2;

/**
 * Entries of the checkout's node_modules that tools write to while they run (vite/vitest's config
 * bundles, caches): each worktree gets its own (empty) instead of a link or a copy, so nothing is
 * written into the user's node_modules and worktrees never share a scratch file.
 */
const PRIVATE_ENTRIES = new Set(['.vite-temp', '.vite', '.vitest', '.cache', LINK_MARKER]);

/** How a worktree's node_modules was shared. */
export interface SharedPackages {
  kind: 'copied' | 'linked';
  /** Why `auto` chose what it chose, or why a copy fell back to links. */
  detail?: string;
}

/** What `shareNodeModules` needs; what touches the world can be injected. */
export interface ShareSettings {
  mode?: PackagesMode;
  /** Size limit for `auto` (default COPY_LIMIT_BYTES). */
  copyLimitBytes?: number;
}

/**
 * Give the worktree's `target` the packages installed in the checkout's `source`, without a network
 * install: `copy` gives it its own copy (cloned where the filesystem can: APFS, btrfs, XFS), so a tool
 * that writes into its own package (vitest's type check writes `vitest/dist/*.tsbuildinfo`) works in
 * a sandbox that keeps the checkout read-only, and each worktree resolves its own workspace packages;
 * `link` gives it a directory of links to the checkout's entries (instant; such writes fail read-only);
 * `auto` copies up to `copyLimitBytes` and links above, or when the checkout's node_modules is itself a
 * link to a shared install. Idempotent; a real install is kept.
 */
export async function shareNodeModules(
  source: string,
  target: string,
  settings: ShareSettings = {},
): Promise<SharedPackages> {
  const mode = settings.mode ?? 'auto';
  if (existsSync(target) && !existsSync(join(target, LINK_MARKER))) {
    // A symlink to the whole directory (earlier versions) is replaced; a real install is kept.
    if (!lstatSync(target).isSymbolicLink())
      return { kind: 'copied', detail: 'the worktree has its own install' };
    await rm(target, { force: true });
  }
  if (mode === 'link') {
    await linkNodeModules(source, target);
    return { kind: 'linked' };
  }
  let detail: string | undefined;
  if (mode === 'auto' && isLink(source)) {
    // The checkout itself uses a shared install (a link to it): share it the same way.
    await linkNodeModules(source, target);
    return { kind: 'linked', detail: "the checkout's node_modules is a link to a shared install: linked" };
  }
  if (mode === 'auto') {
    const limit = settings.copyLimitBytes ?? COPY_LIMIT_BYTES;
    const size = await packagesSize(source, limit);
    if (size > limit) {
      await linkNodeModules(source, target);
      return {
        kind: 'linked',
        detail: `node_modules is over ${mib(limit)} MiB: linked, not copied (worktree.packages: "copy" to copy)`,
      };
    }
  }
  if (markerKind(target) === 'copied') return { kind: 'copied' };
  // A directory of links from earlier becomes a copy.
  if (existsSync(target)) await rm(target, { recursive: true, force: true });
  try {
    await copyNodeModules(source, target);
  } catch (e) {
    await rm(target, { recursive: true, force: true });
    await linkNodeModules(source, target);
    detail = `copying node_modules failed (${(e as Error).message.split('\n')[0]}); linked instead`;
    return { kind: 'linked', detail };
  }
  return { kind: 'copied' };
}

/**
 * Give `target` the packages of `source` as a real directory holding one symlink per entry of
 * `source` (scopes, `.bin` and npm's hidden lockfile included), so Node, TypeScript, npm scripts
 * and `npx` resolve exactly the checkout's packages, while what tools write into node_modules
 * (`.vite-temp`, `.cache`) stays in the worktree. Idempotent; an existing real install is kept.
 */
export async function linkNodeModules(source: string, target: string): Promise<void> {
  if (existsSync(target) && !existsSync(join(target, LINK_MARKER))) {
    if (!lstatSync(target).isSymbolicLink()) return;
    await rm(target, { force: true });
  }
  if (markerKind(target) === 'copied') await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  await writeFile(join(target, LINK_MARKER), 'linked: node_modules linked by Orchestra from the checkout\n');
  for (const name of await readdir(source)) {
    if (PRIVATE_ENTRIES.has(name)) continue;
    const link = join(target, name);
    if (existsSync(link) || isLink(link)) continue;
    await symlink(join(source, name), link, 'junction');
  }
}

/**
 * Copy `source`'s entries (not the tools' scratch) into a new `target`, symlinks kept as symlinks:
 * the system `cp` clones where the filesystem can (`--reflink=auto` on Linux, `-c` on macOS) and is
 * several times faster than a copy in JavaScript, which is the fallback.
 */
async function copyNodeModules(source: string, target: string): Promise<void> {
  await mkdir(target, { recursive: true });
  const names = (await readdir(source)).filter((n) => !PRIVATE_ENTRIES.has(n));
  if (names.length > 0) {
    const clone =
      process.platform === 'darwin'
        ? ['-Rpc']
        : process.platform === 'linux'
          ? ['-Rp', '--reflink=auto']
          : null;
    const ok = clone !== null && (await systemCopy([...clone, '--', ...names, target], source));
    if (!ok) {
      for (const n of names)
        await cp(join(source, n), join(target, n), {
          recursive: true,
          verbatimSymlinks: true,
          force: false,
          errorOnExist: false,
        });
    }
  }
  // Written last: a copy cut short has no marker and is redone, never taken as complete.
  await writeFile(join(target, LINK_MARKER), 'copied: node_modules copied by Orchestra from the checkout\n');
}

function systemCopy(args: string[], cwd: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('cp', args, { cwd, stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/** Remove a node_modules Orchestra made (a copy, links, or a link to the whole directory); a real install stays. */
export async function removeSharedNodeModules(target: string): Promise<void> {
  if (isLink(target)) await rm(target, { force: true });
  else if (existsSync(join(target, LINK_MARKER))) await rm(target, { recursive: true, force: true });
}

/** What kind of node_modules Orchestra made at `target`, from its marker (undefined: none of ours). */
export function markerKind(target: string): 'copied' | 'linked' | undefined {
  try {
    const text = readFileSync(join(target, LINK_MARKER), 'utf8');
    return text.startsWith('copied') ? 'copied' : 'linked';
  } catch {
    return undefined;
  }
}

const sizes = new Map<string, number>();

/** Bytes of the files under `dir` (symlinks not followed), counting stops past `limit`; cached per process. */
async function packagesSize(dir: string, limit: number): Promise<number> {
  const known = sizes.get(dir);
  if (known !== undefined) return known;
  let total = 0;
  const stack = [dir];
  while (stack.length > 0 && total <= limit) {
    const d = stack.pop() as string;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) total += (await lstat(p).catch(() => ({ size: 0 }))).size;
    }
  }
  sizes.set(dir, total);
  return total;
}

function mib(bytes: number): number {
  return Math.round(bytes / 1024 ** 2);
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
