import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitError, git } from './git.js';
import { openRepo } from './repo.js';
import { gitWrite, isLockContention } from './write.js';

const ID = ['-c', 'user.name=Test', '-c', 'user.email=test@example.com'];
let dir: string;
const run = (cwd: string, ...args: string[]) =>
  execFileSync('git', [...ID, ...args], { cwd, encoding: 'utf8' });

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'orchestra-repo-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openRepo', () => {
  it('refuses outside a repository, saying how to make one', async () => {
    await expect(openRepo(dir, { env: { GIT_CEILING_DIRECTORIES: dir } })).rejects.toMatchObject({
      code: 'not-a-repository',
      userError: true,
      message: expect.stringContaining('git init'),
    });
  });

  it('refuses a repository without a commit', async () => {
    run(dir, 'init', '-q');
    await expect(openRepo(dir)).rejects.toMatchObject({
      code: 'no-commit',
      message: expect.stringContaining('git commit'),
    });
  });

  it('finds root, common dir and HEAD from a subdirectory and from a linked worktree', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, 'a', 'b'), { recursive: true });
    run(repo, 'init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'a', 'b', 'f.txt'), 'x');
    run(repo, 'add', 'a');
    run(repo, 'commit', '-qm', 'init');
    const head = run(repo, 'rev-parse', 'HEAD').trim();
    const facts = await openRepo(join(repo, 'a', 'b'));
    expect(facts).toEqual({
      root: repo,
      commonDir: join(repo, '.git'),
      gitDir: join(repo, '.git'),
      head,
      branch: 'main',
    });
    run(repo, 'worktree', 'add', '-q', '--detach', join(dir, 'linked'));
    const linked = await openRepo(join(dir, 'linked', 'a'));
    expect(linked.root).toBe(join(dir, 'linked'));
    expect(linked.commonDir).toBe(join(repo, '.git'));
    expect(linked.gitDir).toBe(join(repo, '.git', 'worktrees', 'linked'));
    expect(linked.branch).toBeNull();
  });

  it('ignores an inherited GIT_DIR pointing elsewhere', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    run(repo, 'init', '-q');
    run(repo, 'commit', '-q', '--allow-empty', '-m', 'init');
    const saved = process.env.GIT_DIR;
    process.env.GIT_DIR = join(dir, 'nowhere');
    try {
      expect((await openRepo(repo)).root).toBe(repo);
    } finally {
      if (saved === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = saved;
    }
  });
});

describe('gitWrite', () => {
  it('recognizes lock contention messages and nothing else', () => {
    const r = (stderr: string) => ({ stdout: '', stderr, code: 128 });
    expect(
      isLockContention(
        r("fatal: Unable to create '/r/.git/index.lock': File exists.\n\nAnother git process seems"),
      ),
    ).toBe(true);
    expect(isLockContention(r('error: could not lock config file .git/config: File exists'))).toBe(true);
    expect(
      isLockContention(
        r(
          "error: cannot lock ref 'refs/heads/a': Unable to create '/r/.git/refs/heads/a.lock': File exists.",
        ),
      ),
    ).toBe(true);
    expect(isLockContention(r("fatal: a branch named 'x' already exists"))).toBe(false);
    expect(isLockContention(r("error: cannot lock ref 'refs/heads/a/b': 'refs/heads/a' exists"))).toBe(false);
  });

  it('retries while a foreign git process holds index.lock, then gives up with the git error', async () => {
    run(dir, 'init', '-q');
    run(dir, 'commit', '-q', '--allow-empty', '-m', 'init');
    writeFileSync(join(dir, 'f.txt'), 'x');
    const lock = join(dir, '.git', 'index.lock');
    writeFileSync(lock, '');
    let sleeps = 0;
    const common = join(dir, '.git');
    await gitWrite(['add', 'f.txt'], {
      cwd: dir,
      commonDir: common,
      sleep: async () => {
        if (++sleeps === 2) rmSync(lock);
      },
    });
    expect(sleeps).toBe(2);
    expect((await git(['diff', '--cached', '--name-only'], { cwd: dir })).stdout).toBe('f.txt\n');

    writeFileSync(lock, '');
    writeFileSync(join(dir, 'g.txt'), 'y');
    sleeps = 0;
    const failed = gitWrite(['add', 'g.txt'], {
      cwd: dir,
      commonDir: common,
      attempts: 3,
      sleep: async () => void sleeps++,
    });
    await expect(failed).rejects.toBeInstanceOf(GitError);
    expect(sleeps).toBe(2);
  });
});
