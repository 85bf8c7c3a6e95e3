import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Plan, type PlanInput, planSchema } from '../../src/domain/plan.js';

/** A temporary directory removed by `cleanup`. */
export function tempDir(prefix = 'orchestra-validator-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write files (path → text) under `root`. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** A plan with defaults applied. */
export function plan(input: Omit<PlanInput, 'version' | 'goal'> & { goal?: string }): Plan {
  return planSchema.parse({ version: 1, goal: 'test', ...input });
}

const IDENTITY = ['-c', 'user.name=Test', '-c', 'user.email=test@example.com'];

/** Run git in `cwd` with a test identity; returns stdout. */
export function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...IDENTITY, ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A git repository with one commit holding `files`, on branch main. */
export function initRepo(dir: string, files: Record<string, string>): void {
  sh(dir, 'init', '-q', '-b', 'main');
  writeFiles(dir, files);
  sh(dir, 'add', '-A');
  sh(dir, 'commit', '-q', '-m', 'base');
}

/** Create `branch` from `from`, write `files` on it and commit, without touching the working tree's branch. */
export function commitOnBranch(
  dir: string,
  branch: string,
  from: string,
  files: Record<string, string>,
): void {
  const wt = join(dir, '.wt', branch.replace(/\//g, '_'));
  sh(dir, 'worktree', 'add', '-q', '-b', branch, wt, from);
  writeFiles(wt, files);
  sh(wt, 'add', '-A');
  sh(wt, 'commit', '-q', '-m', `work on ${branch}`);
  sh(dir, 'worktree', 'remove', '--force', wt);
}
