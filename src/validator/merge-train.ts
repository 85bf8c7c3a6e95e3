import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PackagesMode, runWorktreesDir } from '../config/index.js';
import type { RepoFacts } from '../git/index.js';
import { git, gitWrite, ORCHESTRA_IDENTITY } from '../git/index.js';
import { shareNodeModules } from '../workspace/index.js';

/** Temporary check checkouts are `<tmp>/orchestra-validate-<pid>-<random>` (see `sweepWorktrees`). */
export const TEMP_CHECKOUT_PREFIX = 'orchestra-validate-';

/** The integration branch of a run. */
export function integrationBranch(runId: string): string {
  return `orchestra/${runId}/integration`;
}

/** Where a run's integration worktree lives: in the run's directory of the state dir, outside the checkout. */
export function integrationWorktreePath(repoRoot: string, runId: string): string {
  return join(runWorktreesDir({ root: repoRoot, runId }), 'integration');
}

/** The outcome of merging one branch: a commit, or the conflicted files (the merge was aborted). */
export type MergeOutcome =
  | { ok: true; commit: string }
  | { ok: false; conflictFiles: string[]; message: string };

/** A checkout where branches are merged one at a time and checked after each merge. */
export interface IntegrationTree {
  /** Absolute path of the checkout. */
  path: string;
  /** The branch it writes, or null for a detached, temporary checkout (`--no-merge`). */
  branch: string | null;
  /** Merge `ref` with `--no-ff`; a failed merge is aborted so the tree only holds clean merges. */
  merge(ref: string, message: string): Promise<MergeOutcome>;
  /** The git tree id of what is checked out (commands' results are cached by it). */
  treeId(): Promise<string>;
  /** Drop what commands left in the checkout (untracked files), so the next merge is not refused. */
  tidy(): Promise<void>;
  /** Remove a temporary checkout; an integration worktree stays for the run to use. */
  dispose(): Promise<void>;
}

/** Settings of the integration checkout. */
export interface IntegrationTreeSettings {
  repo: RepoFacts;
  runId: string;
  /** The commit the integration starts from. */
  base: string;
  /** Check in a temporary detached worktree and never write the integration branch. */
  noMerge?: boolean;
  /** How the checkout's packages reach the tree (config `worktree.packages`, default auto). */
  packages?: PackagesMode;
}

/**
 * Open the run's integration checkout: `orchestra/<run>/integration` (created, or reset, at `base`) in the run's worktree directory (`integrationWorktreePath`), or with `noMerge` a detached
 * worktree in the temp directory whose merge commits belong to no branch.
 */
export async function openIntegrationTree(settings: IntegrationTreeSettings): Promise<IntegrationTree> {
  const { repo, runId, base } = settings;
  const write = (args: string[], cwd: string) => gitWrite(args, { cwd, commonDir: repo.commonDir });
  const identity = await identityArgs(repo.root);
  let path: string;
  let branch: string | null;
  let temporary = false;
  if (settings.noMerge) {
    // Named by this process, so a sweep can remove it once the process is gone (a kill -9 mid-check).
    path = mkdtempSync(join(tmpdir(), `${TEMP_CHECKOUT_PREFIX}${process.pid}-`));
    branch = null;
    temporary = true;
    await write(['worktree', 'add', '--detach', path, base], repo.root);
  } else {
    branch = integrationBranch(runId);
    path = integrationWorktreePath(repo.root, runId);
    excludeOrchestraDir(repo.commonDir);
    if (!existsSync(path)) await write(['worktree', 'prune'], repo.root); // forget a deleted checkout
    const registered = (await git(['worktree', 'list', '--porcelain'], { cwd: repo.root })).stdout
      .split('\n')
      .some((l) => l === `worktree ${path}`);
    // Each validation rebuilds the branch from the base, so it holds exactly this train's clean
    // merges and the base's type errors can be told apart from the tasks'.
    if (registered) {
      await gitWrite(['merge', '--abort'], { cwd: path, commonDir: repo.commonDir, allowFailure: true });
      await write(['checkout', '--force', '-B', branch, base], path);
      await write(['clean', '-fd', '-e', 'node_modules'], path);
    } else {
      mkdirSync(join(path, '..'), { recursive: true });
      await write(['worktree', 'add', '-B', branch, path, base], repo.root);
    }
  }
  await provideNodeModules(repo.root, path, settings.packages);
  return {
    path,
    branch,
    async merge(ref, message) {
      const r = await gitWrite([...identity, 'merge', '--no-ff', '--no-edit', '-m', message, ref], {
        cwd: path,
        commonDir: repo.commonDir,
        allowFailure: true,
      });
      if (r.code === 0)
        return { ok: true, commit: (await git(['rev-parse', 'HEAD'], { cwd: path })).stdout.trim() };
      const unmerged = await git(['diff', '--name-only', '--diff-filter=U'], {
        cwd: path,
        allowFailure: true,
      });
      await gitWrite(['merge', '--abort'], { cwd: path, commonDir: repo.commonDir, allowFailure: true });
      const conflictFiles = unmerged.stdout.split('\n').filter(Boolean);
      return { ok: false, conflictFiles, message: (r.stdout + r.stderr).trim() };
    },
    async treeId() {
      return (await git(['rev-parse', 'HEAD^{tree}'], { cwd: path })).stdout.trim();
    },
    async tidy() {
      await gitWrite(['reset', '--hard', '--quiet'], {
        cwd: path,
        commonDir: repo.commonDir,
        allowFailure: true,
      });
      await gitWrite(['clean', '-fdq', '-e', 'node_modules'], {
        cwd: path,
        commonDir: repo.commonDir,
        allowFailure: true,
      });
    },
    async dispose() {
      if (!temporary) return;
      await write(['worktree', 'remove', '--force', path], repo.root).catch(() => undefined);
      rmSync(path, { recursive: true, force: true });
      await write(['worktree', 'prune'], repo.root).catch(() => undefined);
    },
  };
}

/**
 * The merge train without a checkout: each branch merged in order with `git merge-tree` (objects
 * only, no worktree, no type check), so a branch that cannot merge is known before anything else
 * runs. Returns the conflicted files of each branch that would not merge (that merge is skipped,
 * as the train skips it), or undefined when this git cannot do it (before 2.38).
 */
export async function precheckMerges(
  cwd: string,
  base: string,
  branches: ReadonlyArray<{ taskId: string; sha: string }>,
): Promise<Map<string, string[]> | undefined> {
  const identity = await identityArgs(cwd);
  const conflicts = new Map<string, string[]>();
  let current = base;
  for (const b of branches) {
    const r = await git(['merge-tree', '--write-tree', '--name-only', '--no-messages', current, b.sha], {
      cwd,
      allowFailure: true,
    });
    const lines = r.stdout.split('\n');
    if (r.code === 1) {
      const end = lines.indexOf('', 1);
      conflicts.set(b.taskId, [...new Set(lines.slice(1, end < 0 ? undefined : end).filter(Boolean))]);
      continue;
    }
    if (r.code !== 0) return undefined;
    const tree = (lines[0] ?? '').trim();
    const commit = await git(
      [...identity, 'commit-tree', tree, '-p', current, '-p', b.sha, '-m', `precheck ${b.taskId}`],
      { cwd, allowFailure: true },
    );
    if (commit.code !== 0) return undefined;
    current = commit.stdout.trim();
  }
  return conflicts;
}

/** `-c user.name=… -c user.email=…` when the repository has no identity, so merges can commit. */
async function identityArgs(cwd: string): Promise<string[]> {
  const email = await git(['config', 'user.email'], { cwd, allowFailure: true });
  if (email.code === 0 && email.stdout.trim()) return [];
  return ['-c', `user.name=${ORCHESTRA_IDENTITY.name}`, '-c', `user.email=${ORCHESTRA_IDENTITY.email}`];
}

/** Keep `.orchestra/` (worktrees, hub) out of `git status` of the main checkout. */
function excludeOrchestraDir(commonDir: string): void {
  const file = join(commonDir, 'info', 'exclude');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (text.split('\n').some((l) => l.trim() === '/.orchestra/' || l.trim() === '.orchestra/')) return;
  mkdirSync(join(commonDir, 'info'), { recursive: true });
  writeFileSync(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}/.orchestra/\n`);
}

/**
 * A fresh worktree has no node_modules: share the main checkout's packages (a copy or a directory
 * of links, so what tools write there stays in this checkout), so the type check resolves packages
 * and criteria commands find their tools.
 */
async function provideNodeModules(root: string, tree: string, mode: PackagesMode | undefined): Promise<void> {
  const source = join(root, 'node_modules');
  if (!existsSync(source)) return;
  await shareNodeModules(source, join(tree, 'node_modules'), mode ? { mode } : {}).catch(() => {
    // Not fatal: checks that need packages will say so.
  });
}

/** Files a branch changed since it left `base` (repository-relative). */
export async function changedFiles(cwd: string, base: string, ref: string): Promise<string[]> {
  const r = await git(['diff', '--name-only', '--no-renames', `${base}...${ref}`], { cwd });
  return r.stdout.split('\n').filter(Boolean);
}
