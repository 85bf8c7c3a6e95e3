import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRegistry, registryPath } from '../../src/executor/worktree-registry.js';
import { sweepWorktrees } from '../../src/executor/worktree-sweep.js';
import { openRunWorktrees } from '../../src/executor/worktrees.js';
import { branches, GIT_ENV, gitIn, makeRepo, snapshot, worktreePaths, write } from './worktree-fixtures.js';

let ctx: ReturnType<typeof makeRepo>;
let deadPid: number;
beforeEach(() => {
  ctx = makeRepo();
  deadPid = spawnSync(process.execPath, ['-e', '0']).pid as number;
});
afterEach(() => ctx.cleanup());

const open = (runId: string, owner?: { pid: number; host: string }) =>
  openRunWorktrees({ cwd: ctx.repo, runId, env: GIT_ENV, ...(owner ? { owner } : {}) });
const sweep = (extra: Partial<Parameters<typeof sweepWorktrees>[0]> = {}) =>
  sweepWorktrees({ cwd: ctx.repo, env: GIT_ENV, ...extra });

/** A finished run, a dead run (one committed worktree, one dirty), a live run, and the user's own things. */
async function scene() {
  const finished = await open('done');
  await finished.create('t');
  await finished.finish();
  const dead = await open('dead', { pid: deadPid, host: hostname() });
  const d1 = await dead.create('one');
  write(join(d1.path, 'a.txt'), 'committed');
  await dead.commit('one', { title: 'a', agent: 'x' });
  const d2 = await dead.create('two');
  write(join(d2.path, 'b.txt'), 'never committed');
  const live = await open('live');
  const l1 = await live.create('t');
  // The user's own worktree and branches, two named like Orchestra's.
  gitIn(ctx.repo, 'worktree', 'add', '-q', '-b', 'feature', join(ctx.tmp, 'user-wt'));
  gitIn(ctx.repo, 'branch', 'orchestra/dead/extra');
  gitIn(ctx.repo, 'branch', 'orchestra/other/t');
  return { d1, d2, l1 };
}

describe('sweep', () => {
  it('a dry run reports and changes nothing', async () => {
    await scene();
    const before = {
      b: branches(ctx.repo),
      w: worktreePaths(ctx.repo),
      reg: readFileSync(registryPath(join(ctx.repo, '.git')), 'utf8'),
    };
    const r = await sweep({ dryRun: true });
    expect(r.runs.map((x) => [x.runId, x.state, x.action])).toEqual([
      ['dead', 'dead', 'removed'],
      ['done', 'finished', 'removed'],
      ['live', 'running', 'kept'],
    ]);
    expect(r.runs[0]?.branches).toEqual(['orchestra/dead/one', 'orchestra/dead/two']);
    expect({
      b: branches(ctx.repo),
      w: worktreePaths(ctx.repo),
      reg: readFileSync(registryPath(join(ctx.repo, '.git')), 'utf8'),
    }).toEqual(before);
  });

  it('removes finished and dead runs and nothing Orchestra did not create', async () => {
    const user = snapshot(ctx.repo);
    const { d1, d2, l1 } = await scene();
    const r = await sweep();
    expect(r.runs.find((x) => x.runId === 'dead')).toMatchObject({
      action: 'removed',
      worktrees: [d1.path, d2.path],
      branches: ['orchestra/dead/one', 'orchestra/dead/two'],
      problems: [],
    });
    expect(existsSync(d1.path) || existsSync(d2.path)).toBe(false);
    expect(existsSync(dirname(d1.path))).toBe(false);
    expect(branches(ctx.repo).sort()).toEqual([
      'feature',
      'main',
      'orchestra/dead/extra',
      'orchestra/live/t',
      'orchestra/other/t',
    ]);
    expect(worktreePaths(ctx.repo)).toEqual([ctx.repo, l1.path, join(ctx.tmp, 'user-wt')]);
    expect(readdirGitWorktrees()).toEqual(['t', 'user-wt']);
    expect(Object.keys((await readRegistry(join(ctx.repo, '.git'))).runs)).toEqual(['live']);
    expect(snapshot(ctx.repo, 'refs/heads/')).toEqual({ ...user, branches: [] });

    const all = await sweep({ all: true });
    expect(all.runs).toEqual([
      expect.objectContaining({ runId: 'live', state: 'running', action: 'removed' }),
    ]);
    expect(worktreePaths(ctx.repo)).toEqual([ctx.repo, join(ctx.tmp, 'user-wt')]);
    expect(branches(ctx.repo).sort()).toEqual([
      'feature',
      'main',
      'orchestra/dead/extra',
      'orchestra/other/t',
    ]);
    expect(await sweep()).toEqual({ dryRun: false, runs: [], temporary: [] });
  });

  it('never touches the runs it is told to keep, and limits itself to --run', async () => {
    await scene();
    const r = await sweep({ keepRuns: ['dead'], runId: 'done' });
    expect(r.runs.map((x) => x.runId)).toEqual(['done']);
    expect(branches(ctx.repo)).toContain('orchestra/dead/one');
    await expect(sweep({ runId: 'nope' })).rejects.toMatchObject({ code: 'unknown-run', userError: true });
  });

  it('--keep-branches keeps the commits for inspection; a later sweep removes them', async () => {
    const { d1 } = await scene();
    await sweep({ runId: 'dead', keepBranches: true });
    expect(existsSync(d1.path)).toBe(false);
    expect(gitIn(ctx.repo, 'show', 'orchestra/dead/one:a.txt')).toBe('committed');
    const r = await sweep({ runId: 'dead' });
    expect(r.runs[0]?.branches).toEqual(['orchestra/dead/one', 'orchestra/dead/two']);
    expect(branches(ctx.repo)).not.toContain('orchestra/dead/one');
  });

  it('leaves a branch the user checked out elsewhere and reports it', async () => {
    const run = await open('done');
    await run.create('t');
    await run.remove('t', { keepBranch: true });
    await run.finish();
    gitIn(ctx.repo, 'worktree', 'add', '-q', join(ctx.tmp, 'looking'), 'orchestra/done/t');
    const r = await sweep();
    expect(r.runs[0]).toMatchObject({
      action: 'partial',
      problems: [expect.stringMatching(/orchestra\/done\/t/)],
    });
    expect(branches(ctx.repo)).toContain('orchestra/done/t');
    expect((await readRegistry(join(ctx.repo, '.git'))).branches).toHaveLength(1);
  });

  it("refuses a registry entry that points outside the run's worktree directory", async () => {
    const run = await open('done');
    await run.finish();
    const file = registryPath(join(ctx.repo, '.git'));
    const reg = JSON.parse(readFileSync(file, 'utf8'));
    reg.worktrees.push({
      runId: 'done',
      taskId: 't',
      path: join(ctx.tmp, 'user-wt'),
      branch: 'feature',
      createdAt: 'x',
    });
    writeFileSync(file, JSON.stringify(reg));
    gitIn(ctx.repo, 'worktree', 'add', '-q', '-b', 'feature', join(ctx.tmp, 'user-wt'));
    const r = await sweep();
    expect(r.runs[0]?.problems).toEqual([expect.stringMatching(/outside the run's worktree directory/)]);
    expect(existsSync(join(ctx.tmp, 'user-wt'))).toBe(true);
    expect(branches(ctx.repo)).toContain('feature');
  });

  it('removes what earlier versions left under .orchestra/worktrees/ (task and integration worktrees)', async () => {
    // A registry as an earlier version wrote it: no run directory, worktrees inside the checkout.
    const legacy = join(ctx.repo, '.orchestra', 'worktrees', 'old');
    write(join(ctx.repo, '.orchestra', '.gitignore'), '*\n');
    gitIn(ctx.repo, 'worktree', 'add', '-q', '-b', 'orchestra/old/t', join(legacy, 't'));
    gitIn(ctx.repo, 'worktree', 'add', '-q', '-b', 'orchestra/old/integration', join(legacy, 'integration'));
    const file = registryPath(join(ctx.repo, '.git'));
    const at = new Date().toISOString();
    write(
      file,
      JSON.stringify({
        version: 1,
        runs: {
          old: { owner: { pid: deadPid, host: hostname() }, root: ctx.repo, base: 'x', startedAt: at },
        },
        worktrees: [
          { runId: 'old', taskId: 't', path: join(legacy, 't'), branch: 'orchestra/old/t', createdAt: at },
        ],
        branches: [],
      }),
    );
    const user = snapshot(ctx.repo);
    const r = await sweep();
    expect(r.runs[0]).toMatchObject({
      runId: 'old',
      action: 'removed',
      worktrees: [join(legacy, 't'), join(legacy, 'integration')],
      branches: ['orchestra/old/t'],
    });
    expect(worktreePaths(ctx.repo)).toEqual([ctx.repo]);
    expect(existsSync(join(ctx.repo, '.orchestra', 'worktrees'))).toBe(false);
    // The integration branch stays for review, as after any run.
    expect(branches(ctx.repo)).toContain('orchestra/old/integration');
    expect(snapshot(ctx.repo, 'refs/heads/orchestra/old/')).toEqual(user);
  });

  it("removes a dead run's integration worktree from its directory in the state dir", async () => {
    const dead = await open('dead', { pid: deadPid, host: hostname() });
    await dead.create('one');
    const integration = join(dead.dir, 'integration');
    gitIn(ctx.repo, 'worktree', 'add', '-q', '--detach', integration);
    const r = await sweep();
    expect(r.runs[0]?.worktrees).toEqual([join(dead.dir, 'one'), integration]);
    expect(worktreePaths(ctx.repo)).toEqual([ctx.repo]);
    expect(existsSync(dead.dir)).toBe(false);
  });

  it("removes a check's temporary checkout once its process is gone (kill -9 mid-check), never a live one or the user's", async () => {
    const gone = join(ctx.tmp, `orchestra-validate-${deadPid}-abc`);
    const mine = join(ctx.tmp, `orchestra-validate-${process.pid}-def`);
    const users = join(ctx.tmp, 'orchestra-validate-notes');
    for (const p of [gone, mine, users]) gitIn(ctx.repo, 'worktree', 'add', '-q', '--detach', p);
    const dry = await sweep({ dryRun: true });
    expect(dry.temporary).toEqual([gone]);
    expect(worktreePaths(ctx.repo)).toContain(gone);
    const r = await sweep();
    expect(r.temporary).toEqual([gone]);
    expect(existsSync(gone)).toBe(false);
    expect(worktreePaths(ctx.repo).sort()).toEqual([ctx.repo, mine, users].sort());
  });

  it('names a damaged registry instead of guessing', async () => {
    await (await open('done')).finish();
    writeFileSync(registryPath(join(ctx.repo, '.git')), '{"version": 7}');
    await expect(sweep()).rejects.toMatchObject({
      code: 'registry-damaged',
      message: expect.stringMatching(/registry\.json/),
    });
  });
});

function readdirGitWorktrees(): string[] {
  return gitIn(ctx.repo, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .slice(1)
    .map((l) => l.split('/').at(-1) ?? '');
}
