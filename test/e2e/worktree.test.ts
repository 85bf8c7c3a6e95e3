import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRegistry } from '../../src/executor/worktree-registry.js';
import { openRunWorktrees } from '../../src/executor/worktrees.js';
import { GIT_ENV, gitIn, makeRepo, snapshot, write } from './worktree-fixtures.js';

let ctx: ReturnType<typeof makeRepo>;
beforeEach(() => {
  ctx = makeRepo();
});
afterEach(() => ctx.cleanup());

const open = (runId: string, extra: { cwd?: string; base?: string } = {}) =>
  openRunWorktrees({
    cwd: extra.cwd ?? ctx.repo,
    runId,
    env: GIT_ENV,
    ...(extra.base ? { base: extra.base } : {}),
  });

describe('task worktrees', () => {
  it('two tasks in parallel: each branch holds exactly its own changes; the user checkout is untouched', async () => {
    const before = snapshot(ctx.repo);
    const run = await open('r1');
    expect(run.base).toBe(before.head);
    const [a, b] = await Promise.all([run.create('api'), run.create('db')]);
    // Outside the checkout, in the (test suite's temp) state directory, named by repository and run.
    expect(a.path).toBe(join(run.dir, 'api'));
    expect(run.dir.startsWith(`${process.env.ORCHESTRA_STATE_DIR}/worktrees/repo-`)).toBe(true);
    expect(run.dir.endsWith('/r1')).toBe(true);
    expect(a.path.startsWith(`${ctx.repo}/`)).toBe(false);
    expect(a.branch).toBe('orchestra/r1/api');
    expect(b.branch).toBe('orchestra/r1/db');
    // The worktree starts at the base: no uncommitted or staged change of the user leaks in.
    expect(readFileSync(join(a.path, 'README.md'), 'utf8')).toBe('# demo\n');
    expect(existsSync(join(a.path, 'src/staged.ts'))).toBe(false);

    // Plain writes stand in for the agents.
    write(join(a.path, 'src/a/x.ts'), 'export const x = 10;\n');
    write(join(a.path, 'src/a/new.ts'), 'export const n = 1;\n');
    write(join(a.path, 'debug.log'), 'ignored by the repository\n');
    rmSync(join(b.path, 'src/b/y.ts'));
    write(join(b.path, 'src/b/new.ts'), 'export const m = 2;\n');

    const [ca, cb] = await Promise.all([
      run.commit('api', { title: 'Add the API\nsecond line', agent: 'backend' }),
      run.commit('db', { title: 'Schema', agent: 'database' }),
    ]);
    expect(ca.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(ca.files).toEqual([
      { status: 'A', path: 'src/a/new.ts' },
      { status: 'M', path: 'src/a/x.ts' },
    ]);
    expect(cb.files).toEqual([
      { status: 'A', path: 'src/b/new.ts' },
      { status: 'D', path: 'src/b/y.ts' },
    ]);
    expect(gitIn(ctx.repo, 'diff', '--name-status', `${run.base}`, 'orchestra/r1/api')).toBe(
      'A\tsrc/a/new.ts\nM\tsrc/a/x.ts',
    );
    expect(gitIn(ctx.repo, 'diff', '--name-status', `${run.base}`, 'orchestra/r1/db')).toBe(
      'A\tsrc/b/new.ts\nD\tsrc/b/y.ts',
    );
    expect(gitIn(ctx.repo, 'rev-parse', 'orchestra/r1/api^')).toBe(run.base);
    expect(gitIn(ctx.repo, 'log', '-1', '--format=%B', 'orchestra/r1/api')).toBe(
      'orchestra(api): Add the API second line\n\nAgent: backend\nRun: r1',
    );
    // No identity configured anywhere: Orchestra's own.
    expect(gitIn(ctx.repo, 'log', '-1', '--format=%an <%ae>', 'orchestra/r1/db')).toBe(
      'Orchestra <orchestra@localhost>',
    );
    expect(snapshot(ctx.repo)).toEqual(before);
  });

  it('commits nothing when nothing changed, and reports all the task changed on a later commit', async () => {
    const run = await open('r1');
    const t = await run.create('t');
    expect(await run.commit('t', { title: 'nothing', agent: 'a' })).toEqual({ commit: null, files: [] });
    write(join(t.path, 'src/a/one.ts'), '1\n');
    const first = await run.commit('t', { title: 'one', agent: 'a' });
    expect(await run.commit('t', { title: 'again', agent: 'a' })).toEqual({
      commit: null,
      files: first.files,
    });
    write(join(t.path, 'src/a/two.ts'), '2\n');
    const second = await run.commit('t', { title: 'two', agent: 'a' });
    expect(second.commit).not.toBe(first.commit);
    expect(second.files.map((f) => f.path)).toEqual(['src/a/one.ts', 'src/a/two.ts']);
    expect(await run.changes('t')).toEqual(second.files);
  });

  it("commits with the repository's own identity when one is configured", async () => {
    gitIn(ctx.repo, 'config', 'user.name', 'Dana');
    gitIn(ctx.repo, 'config', 'user.email', 'dana@example.com');
    const run = await open('r1');
    const t = await run.create('t');
    write(join(t.path, 'f.txt'), 'x');
    await run.commit('t', { title: 'f', agent: 'a' });
    expect(gitIn(ctx.repo, 'log', '-1', '--format=%an <%ae>', 'orchestra/r1/t')).toBe(
      'Dana <dana@example.com>',
    );
  });

  it('resumes: the same worktree is reused and the base stays the one recorded at the start', async () => {
    const run = await open('r1');
    const t = await run.create('t');
    write(join(t.path, 'wip.txt'), 'work in progress');
    gitIn(ctx.repo, 'commit', '-qm', 'the user commits meanwhile');
    const resumed = await open('r1');
    expect(resumed.base).toBe(run.base);
    const again = await resumed.create('t');
    expect(again).toMatchObject({ path: t.path, branch: t.branch, reused: true });
    expect(readFileSync(join(again.path, 'wip.txt'), 'utf8')).toBe('work in progress');
    // A worktree directory lost (but its branch kept) is re-created on the branch.
    write(join(t.path, 'wip.txt'), 'committed');
    await resumed.commit('t', { title: 'wip', agent: 'a' });
    await resumed.remove('t', { keepBranch: true });
    expect(existsSync(t.path)).toBe(false);
    const third = await resumed.create('t');
    expect(third.reused).toBe(true);
    expect(readFileSync(join(third.path, 'wip.txt'), 'utf8')).toBe('committed');
  });

  it('works from a subdirectory and from inside a linked worktree of the repository', async () => {
    const run = await open('r1', { cwd: join(ctx.repo, 'src', 'a') });
    expect(run.repo.root).toBe(ctx.repo);
    const t = await run.create('t');
    const inner = await open('r2', { cwd: t.path });
    expect(inner.repo.commonDir).toBe(join(ctx.repo, '.git'));
  });

  it('refuses unsafe ids, a branch it did not create, and a base that is not a commit', async () => {
    await expect(open('../x')).rejects.toMatchObject({ code: 'invalid-run-id', userError: true });
    const run = await open('r1');
    for (const bad of ['a/b', '..', 'x..y', 'x.lock', '-x', 'x y', ''])
      await expect(run.create(bad)).rejects.toMatchObject({ code: 'invalid-task-id', userError: true });
    gitIn(ctx.repo, 'branch', 'orchestra/r1/mine');
    await expect(run.create('mine')).rejects.toMatchObject({ code: 'branch-exists', userError: true });
    expect(gitIn(ctx.repo, 'rev-parse', 'orchestra/r1/mine')).toBe(run.base);
    await expect(open('r9', { base: 'no-such-ref' })).rejects.toMatchObject({ code: 'unknown-base' });
  });

  it('records what it created in the registry of the common git dir', async () => {
    const run = await open('r1');
    await run.create('t');
    const reg = await readRegistry(join(ctx.repo, '.git'));
    expect(reg.runs.r1).toMatchObject({ root: ctx.repo, base: run.base, owner: { pid: process.pid } });
    expect(reg.worktrees).toEqual([
      expect.objectContaining({ runId: 'r1', taskId: 't', branch: 'orchestra/r1/t' }),
    ]);
    await run.finish();
    expect((await readRegistry(join(ctx.repo, '.git'))).runs.r1?.finishedAt).toBeDefined();
  });
});

describe('scope check', () => {
  it('passes when every change is owned and names each file outside ownership', async () => {
    const run = await open('r1');
    const t = await run.create('t');
    write(join(t.path, 'src/a/x.ts'), 'changed\n');
    write(join(t.path, 'src/a/deep/new.ts'), 'new\n');
    await run.commit('t', { title: 'in scope', agent: 'a' });
    expect(await run.checkScope('t', ['src/a/'])).toEqual({
      ok: true,
      violations: [],
      inScope: [
        { status: 'A', path: 'src/a/deep/new.ts', glob: 'src/a/' },
        { status: 'M', path: 'src/a/x.ts', glob: 'src/a/' },
      ],
    });
    // What a Bash command could do: write next door and delete elsewhere.
    write(join(t.path, 'src/ab/sibling.ts'), 'prefix sibling\n');
    rmSync(join(t.path, 'README.md'));
    await run.commit('t', { title: 'outside', agent: 'a' });
    const r = await run.checkScope('t', ['src/a/**']);
    expect(r.ok).toBe(false);
    expect(r.violations).toEqual([
      { path: 'README.md', status: 'D' },
      { path: 'src/ab/sibling.ts', status: 'A' },
    ]);
    expect(r.inScope.map((f) => f.path)).toEqual(['src/a/deep/new.ts', 'src/a/x.ts']);
  });

  it('checks both sides of a rename', async () => {
    const run = await open('r1');
    const t = await run.create('t');
    renameSync(join(t.path, 'src/b/z.ts'), join(t.path, 'src/a/z.ts'));
    await run.commit('t', { title: 'move', agent: 'a' });
    const r = await run.checkScope('t', ['src/a/**']);
    expect(r.violations).toEqual([{ path: 'src/b/z.ts', status: 'R' }]);
    expect((await run.checkScope('t', ['src/**'])).inScope).toEqual([
      { status: 'R', from: 'src/b/z.ts', path: 'src/a/z.ts', glob: 'src/**' },
    ]);
  });
});
