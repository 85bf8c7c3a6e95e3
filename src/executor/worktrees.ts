import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { runWorktreesDir } from '../config/index.js';
import { OrchestraError, UserError } from '../errors.js';
import type { RepoLockSettings } from '../git/index.js';
import {
  ensureWorkDir,
  git,
  gitRetrying,
  identityArgs,
  openRepo,
  type ProcessStamp,
  processStamp,
  type RepoFacts,
  withRepoLock,
} from '../git/index.js';
import { checkScope, type ScopeResult } from './scope.js';
import type { ChangedFile } from './worktree-changes.js';
import { changedFiles } from './worktree-changes.js';
import { commitWorktree, TASK_GIT_CONFIG, type TaskCommit, taskCommitMessage } from './worktree-commit.js';
import { assertSafeId, taskBranch, taskWorktreePath } from './worktree-ids.js';
import { branchExists, listWorktrees } from './worktree-list.js';
import { readRegistry, updateRegistry } from './worktree-registry.js';
import { removeTaskWorktree } from './worktree-remove.js';

/** How a run's worktrees are opened. Everything that touches the world can be injected. */
export interface RunWorktreesSettings {
  /** Any directory inside the user's checkout. */
  cwd: string;
  runId: string;
  /** The commit tasks branch from. Default: the recorded base when resuming, else HEAD now. */
  base?: string;
  /**
   * The directory for the run's worktrees. Default: the one recorded when the run started, else
   * `<state dir>/worktrees/<repo>-<hash>/<run>` (see `resolveStateDir`): never inside the checkout.
   */
  dir?: string;
  /** Move a known run onto `base` (resume with --rebase) instead of refusing a different base. */
  rebase?: boolean;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** The orchestrating process recorded for the sweep (default: this process). */
  owner?: ProcessStamp;
  lock?: RepoLockSettings;
}

/** A task's worktree and branch. */
export interface TaskWorktree {
  runId: string;
  taskId: string;
  /** Absolute directory: the agent's cwd. */
  path: string;
  branch: string;
  base: string;
  /** The commit the branch started from: the base, or the merged work of the task's dependencies. */
  start: string;
  /** true when an existing worktree or branch of the same task was reused (resume). */
  reused: boolean;
}

/** Where a task's branch starts (default: the run's base). */
export interface CreateOptions {
  /** A commit holding the base and the merged work of the task's dependencies. */
  start?: string;
}

/** The worktrees of one run in one repository. */
export interface RunWorktrees {
  readonly repo: RepoFacts;
  readonly runId: string;
  /** The run's base commit, recorded at the start and kept across resumes. */
  readonly base: string;
  /** The directory holding the run's worktrees (outside the checkout). */
  readonly dir: string;
  /**
   * Create the task's worktree on `orchestra/<run>/<task>` from `options.start` (default: the
   * base), or reuse it (its branch keeps the commit it started from).
   */
  create(taskId: string, options?: CreateOptions): Promise<TaskWorktree>;
  /**
   * Commit everything in the task's worktree; no commit when nothing changed. `since` is the
   * commit the task started from (default: the base): the files listed are the task's own.
   */
  commit(taskId: string, message: { title: string; agent: string }, since?: string): Promise<TaskCommit>;
  /** The files the task's branch changed since `since` (default: the base): its own diff. */
  changes(taskId: string, since?: string): Promise<ChangedFile[]>;
  /** The authoritative scope check of the task's own diff (since `since`) against its `owns` globs. */
  checkScope(taskId: string, owns: readonly string[], since?: string): Promise<ScopeResult>;
  /**
   * Merge `commit` (a newer state of the task's dependencies) into the task's branch in its
   * worktree, so a fix attempt sees the code it must fit; a conflicting merge is aborted.
   */
  refresh(taskId: string, commit: string): Promise<{ ok: true } | { ok: false; message: string }>;
  /** Remove the task's worktree (and its branch unless `keepBranch`), e.g. after a crash. */
  remove(taskId: string, options?: { keepBranch?: boolean }): Promise<void>;
  /**
   * Hand the task's branch over to the user: its worktree is removed and the branch forgotten by
   * the registry, so no sweep ever deletes it (a deliverable, like `orchestra task run`'s branch).
   */
  handOver(taskId: string): Promise<void>;
  /** Mark the run finished: the next sweep removes its worktrees and branches. */
  finish(): Promise<void>;
}

/**
 * Open (or resume) the worktrees of a run: refuses outside a repository or without a commit,
 * records the run with its owner process and base commit, and never moves the user's HEAD, index
 * or branches.
 */
export async function openRunWorktrees(settings: RunWorktreesSettings): Promise<RunWorktrees> {
  const { runId } = settings;
  assertSafeId('run', runId);
  const env = settings.env;
  const envOpt = env ? { env } : {};
  const now = settings.now ?? (() => new Date());
  const repo = await openRepo(settings.cwd, envOpt);
  const owner = settings.owner ?? processStamp();
  const lock = settings.lock;
  const locked = <T>(fn: () => Promise<T>) => withRepoLock(repo.commonDir, fn, lock);

  const requestedBase =
    settings.base === undefined ? undefined : await resolveCommit(repo.root, settings.base, env);
  const run = await updateRegistry(
    repo.commonDir,
    (reg) => {
      const known = reg.runs[runId];
      const base = (settings.rebase ? requestedBase : undefined) ?? known?.base ?? requestedBase ?? repo.head;
      if (requestedBase !== undefined && known && known.base !== requestedBase && !settings.rebase)
        throw new UserError(
          'run-base-mismatch',
          `run ${runId} started from ${known.base}, not ${requestedBase}; resume it without a base or use another run id`,
        );
      const root = known?.root ?? repo.root;
      // Resolved from Orchestra's own environment (not the agents'), as the integration checkout's is.
      const dir = settings.dir ?? known?.dir ?? runWorktreesDir({ root, runId });
      const entry = { owner, root, dir, base, startedAt: known?.startedAt ?? now().toISOString() };
      reg.runs[runId] = entry; // a resumed run is adopted by this process and is no longer finished
      return entry;
    },
    lock,
  );
  ensureWorkDir(run.root);
  const { base, dir } = run;

  const worktreeOf = async (taskId: string) => {
    const reg = await readRegistry(repo.commonDir);
    const w = reg.worktrees.find((x) => x.runId === runId && x.taskId === taskId);
    if (!w) throw new OrchestraError('unknown-worktree', `task ${taskId} of run ${runId} has no worktree`);
    return w;
  };

  return {
    repo,
    runId,
    base,

    dir,

    create: (taskId, options = {}) =>
      locked(async () => {
        const branch = taskBranch(runId, taskId);
        const reg = await readRegistry(repo.commonDir);
        const existing = reg.worktrees.find((w) => w.runId === runId && w.taskId === taskId);
        // A resumed run of an earlier version keeps its worktree where it was made.
        const path = existing?.path ?? taskWorktreePath(dir, taskId);
        const ours = existing !== undefined;
        const start = options.start ?? base;
        const keptBranch = reg.branches.some((b) => b.runId === runId && b.branch === branch);
        const hasBranch = await branchExists(repo.root, branch, env);
        if (!ours && keptBranch)
          await updateRegistry(repo.commonDir, (r) => {
            r.branches = r.branches.filter((b) => !(b.runId === runId && b.branch === branch));
            r.worktrees.push({ runId, taskId, path, branch, createdAt: now().toISOString() });
          });
        else if (!ours) {
          if (hasBranch)
            throw new UserError(
              'branch-exists',
              `branch ${branch} exists but Orchestra did not create it; use another run id or delete that branch`,
            );
          if (existsSync(path))
            throw new UserError(
              'worktree-path-exists',
              `${path} exists but Orchestra did not create it; use another run id or move that directory`,
            );
          // Recorded before git runs, so a kill -9 in the middle still leaves it to the sweep.
          await updateRegistry(repo.commonDir, (r) => {
            r.worktrees.push({ runId, taskId, path, branch, createdAt: now().toISOString() });
          });
        }
        const known = (await listWorktrees(repo.root, env)).find((w) => w.path === path);
        if (known) {
          if (known.branch !== `refs/heads/${branch}`)
            throw new OrchestraError(
              'worktree-head-moved',
              `the worktree ${path} is not on its branch ${branch}; remove it with \`orchestra clean --run ${runId}\``,
            );
          return { runId, taskId, path, branch, base, start, reused: true };
        }
        // A directory git no longer tracks (half-made by a killed process) is ours to replace.
        await rm(path, { recursive: true, force: true });
        await mkdir(dirname(path), { recursive: true });
        const write = { cwd: repo.root, commonDir: repo.commonDir, ...envOpt };
        const add = hasBranch
          ? ['worktree', 'add', path, branch]
          : ['worktree', 'add', '-b', branch, path, start];
        await gitRetrying([...TASK_GIT_CONFIG, ...add], write);
        return { runId, taskId, path, branch, base, start, reused: hasBranch };
      }),

    commit: (taskId, message, since = base) =>
      locked(async () => {
        const w = await worktreeOf(taskId);
        return commitWorktree({
          path: w.path,
          branch: w.branch,
          base: since,
          commonDir: repo.commonDir,
          message: taskCommitMessage({ taskId, runId, ...message }),
          ...envOpt,
        });
      }),

    changes: async (taskId, since = base) =>
      changedFiles({
        cwd: repo.root,
        base: since,
        ref: `refs/heads/${taskBranch(runId, taskId)}`,
        ...envOpt,
      }),

    checkScope: (taskId, owns, since = base) =>
      checkScope({ cwd: repo.root, base: since, branch: taskBranch(runId, taskId), owns, ...envOpt }),

    refresh: (taskId, commit) =>
      locked(async () => {
        const w = await worktreeOf(taskId);
        const write = { cwd: w.path, commonDir: repo.commonDir, ...envOpt };
        const contained = await git(['merge-base', '--is-ancestor', commit, 'HEAD'], {
          cwd: w.path,
          allowFailure: true,
          ...envOpt,
        });
        if (contained.code === 0) return { ok: true as const };
        const identity = await identityArgs(w.path, env);
        const r = await gitRetrying(
          [
            ...TASK_GIT_CONFIG,
            ...identity,
            'merge',
            '--no-ff',
            '--no-edit',
            '-m',
            `orchestra: the dependencies' current work for ${taskId}`,
            commit,
          ],
          { ...write, allowFailure: true },
        );
        if (r.code === 0) return { ok: true as const };
        await gitRetrying(['merge', '--abort'], { ...write, allowFailure: true });
        return { ok: false as const, message: (r.stderr || r.stdout).trim() };
      }),

    remove: (taskId, options = {}) =>
      locked(async () => {
        const w = await worktreeOf(taskId);
        await removeTaskWorktree({
          repo,
          entry: w,
          runDir: dir,
          keepBranch: options.keepBranch ?? false,
          ...envOpt,
        });
        await updateRegistry(repo.commonDir, (r) => {
          r.worktrees = r.worktrees.filter((x) => !(x.runId === runId && x.taskId === taskId));
          if (options.keepBranch) r.branches.push({ runId, branch: w.branch, createdAt: w.createdAt });
        });
      }),

    handOver: (taskId) =>
      locked(async () => {
        const branch = taskBranch(runId, taskId);
        const w = (await readRegistry(repo.commonDir)).worktrees.find(
          (x) => x.runId === runId && x.taskId === taskId,
        );
        if (w) await removeTaskWorktree({ repo, entry: w, runDir: dir, keepBranch: true, ...envOpt });
        await updateRegistry(repo.commonDir, (r) => {
          r.worktrees = r.worktrees.filter((x) => !(x.runId === runId && x.taskId === taskId));
          r.branches = r.branches.filter((b) => b.branch !== branch);
        });
      }),

    finish: () =>
      updateRegistry(
        repo.commonDir,
        (r) => {
          const entry = r.runs[runId];
          if (entry) entry.finishedAt = now().toISOString();
        },
        lock,
      ),
  };
}

async function resolveCommit(cwd: string, rev: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], {
    cwd,
    allowFailure: true,
    ...(env ? { env } : {}),
  });
  if (r.code !== 0 || !r.stdout.trim())
    throw new UserError('unknown-base', `base ${rev} is not a commit of the repository at ${cwd}`);
  return r.stdout.trim();
}
