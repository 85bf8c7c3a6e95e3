import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runWorktreesDir } from '../../src/config/index.js';
import {
  branches,
  exited,
  GIT_ENV,
  gitIn,
  makeRepo,
  snapshot,
  sourceUrl,
  spawnScript,
  waitForLine,
  worktreePaths,
} from '../e2e/worktree-fixtures.js';
import { runOrchestra } from '../support/cli.js';

let ctx: ReturnType<typeof makeRepo>;
beforeEach(() => {
  ctx = makeRepo();
});
afterEach(() => ctx.cleanup());

/** Where a run's worktrees live: the suite's temp state directory, outside the checkout. */
const runDir = (runId: string) => runWorktreesDir({ root: ctx.repo, runId });

const clean = (...args: string[]) => runOrchestra(['clean', ...args], { cwd: ctx.repo, env: GIT_ENV });

/** A child orchestrating process: opens a run, makes worktrees (one committed, one dirty), then waits. */
function orchestrator(runId: string) {
  return spawnScript(
    ctx.tmp,
    `orchestrator-${runId}`,
    `import { writeFileSync } from 'node:fs';
     import { join } from 'node:path';
     const { openRunWorktrees } = await import(${JSON.stringify(sourceUrl('src/executor/worktrees.ts'))});
     const run = await openRunWorktrees({ cwd: process.argv[2], runId: process.argv[3] });
     const a = await run.create('api');
     writeFileSync(join(a.path, 'api.ts'), 'committed');
     await run.commit('api', { title: 'api', agent: 'backend' });
     const b = await run.create('db');
     writeFileSync(join(b.path, 'db.ts'), 'in progress');
     process.stdout.write('ready\\n');
     setInterval(() => {}, 1000);`,
    [ctx.repo, runId],
  );
}

describe('orchestra clean', () => {
  it('after kill -9 of the orchestrating process, removes its worktrees and branches and nothing else', async () => {
    const child = orchestrator('crash');
    await waitForLine(child, 'ready');
    const gone = exited(child);
    child.kill('SIGKILL');
    expect((await gone).signal).toBe('SIGKILL');
    // The user's own worktree and a branch named like Orchestra's, made after the crash.
    gitIn(ctx.repo, 'worktree', 'add', '-q', '-b', 'feature', join(ctx.tmp, 'user-wt'));
    gitIn(ctx.repo, 'branch', 'orchestra/crash/user');
    const user = snapshot(ctx.repo);
    expect(branches(ctx.repo)).toEqual(expect.arrayContaining(['orchestra/crash/api', 'orchestra/crash/db']));

    const dry = clean('--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dryRun: true,
      runs: [{ runId: 'crash', state: 'dead', pid: child.pid, action: 'removed' }],
    });
    expect(worktreePaths(ctx.repo)).toHaveLength(4);

    const r = clean();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        `removed run crash (dead: process ${child.pid} is gone)`,
        `  worktree ${join(runDir('crash'), 'api')}`,
        `  worktree ${join(runDir('crash'), 'db')}`,
        '  branch   orchestra/crash/api',
        '  branch   orchestra/crash/db',
        '',
      ].join('\n'),
    );
    expect(worktreePaths(ctx.repo)).toEqual([ctx.repo, join(ctx.tmp, 'user-wt')]);
    expect(branches(ctx.repo).sort()).toEqual(['feature', 'main', 'orchestra/crash/user']);
    expect(existsSync(runDir('crash'))).toBe(false);
    expect(existsSync(join(ctx.repo, '.orchestra', 'worktrees'))).toBe(false);
    expect(snapshot(ctx.repo)).toEqual(user);
    expect(clean().stdout).toBe('nothing to clean\n');
  });

  it('keeps a run whose process is alive unless --all', async () => {
    const child = orchestrator('live');
    try {
      await waitForLine(child, 'ready');
      const r = clean();
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`kept run live (running: process ${child.pid}); --all removes it\n`);
      expect(branches(ctx.repo)).toContain('orchestra/live/api');
      const all = clean('--run', 'live', '--all', '--json');
      expect(all.code, all.stderr).toBe(0);
      expect(JSON.parse(all.stdout).runs[0]).toMatchObject({
        runId: 'live',
        state: 'running',
        action: 'removed',
        branches: ['orchestra/live/api', 'orchestra/live/db'],
      });
      expect(existsSync(runDir('live'))).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('says what to do outside a repository, and for an unknown run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orchestra-norepo-'));
    try {
      const r = runOrchestra(['clean'], { cwd: dir, env: { ...GIT_ENV, GIT_CEILING_DIRECTORIES: dir } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/not inside a git repository.*git init/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const u = clean('--run', 'nope');
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/no worktrees of run "nope"/);
    expect(clean('--json').stdout).toBe('{\n  "dryRun": false,\n  "runs": [],\n  "temporary": []\n}\n');
  });

  it('documents what it removes and keeps in --help', () => {
    const r = clean('--help');
    expect(r.code).toBe(0);
    for (const s of [
      '--run <id>',
      '--all',
      '--dry-run',
      '--json',
      '--keep-branches',
      'kill -9',
      'Never touched',
    ])
      expect(r.stdout).toContain(s);
  });
});
