import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planSchema } from '../../src/domain/plan.js';
import { fillFixtureRun, tempHubRepo } from '../run/hub-fixture.js';
import { runOrchestra } from '../support/cli.js';
import { initRepo, sh } from '../validator/fixture.js';

const dirs: Array<() => void> = [];
afterEach(() => {
  for (const c of dirs.splice(0)) c();
});

/** Two runs: run-1 finished (failed), run-2 stopped by its budget with an open fix. */
function repoWithRuns(options: { git?: boolean; running?: boolean } = {}) {
  const r = tempHubRepo((hub, clock) => {
    fillFixtureRun(hub, clock);
    clock.advance(3_600_000);
    const plan = planSchema.parse({
      version: 1,
      goal: 'A much longer goal that will not fit in a narrow terminal without being cut short',
      tasks: [
        { id: 'schema', title: 'Schema', agent: 'database-specialist', owns: ['db/**'] },
        {
          id: 'queries',
          title: 'Queries',
          agent: 'backend-specialist',
          owns: ['src/**'],
          dependsOn: ['schema'],
        },
      ],
    });
    hub.runs.create({ id: 'run-2', goal: plan.goal, repo: '/repo', plan, status: 'running' });
    hub.usage.add({
      runId: 'run-2',
      layer: 'orchestrator',
      inputTokens: 1000,
      outputTokens: 100,
      costUsd: 0.01,
    });
    hub.events.append({
      runId: 'run-2',
      type: 'wave.started',
      wave: 1,
      tasks: ['schema'],
      estimatedTokens: 4000,
      budget: 60000,
    });
    hub.tasks.upsert({
      runId: 'run-2',
      id: 'schema',
      agent: 'database-specialist',
      wave: 1,
      branch: 'orchestra/run-2/schema',
    });
    hub.tasks.startAttempt('run-2', 'schema');
    hub.usage.add({
      runId: 'run-2',
      taskId: 'schema',
      attempt: 1,
      layer: 'specialist',
      inputTokens: 3000,
      outputTokens: 200,
      costUsd: 0.02,
    });
    hub.tasks.setStatus('run-2', 'schema', 'succeeded');
    hub.fixes.add({
      runId: 'run-2',
      ownerTask: 'schema',
      description: 'add the users.email index the queries expect',
    });
    hub.events.append({ runId: 'run-2', type: 'budget.exceeded', spentUsd: 0.03, budgetUsd: 0.03 });
    if (!options.git && !options.running) hub.runs.setStatus('run-2', 'stopped');
  });
  dirs.push(r.cleanup);
  if (options.git) initRepo(r.dir, { 'README.md': 'app\n' });
  return r.dir;
}

/** Record run-2 in the worktree registry as owned by process `pid` on this host. */
function registerOwner(dir: string, pid: number) {
  mkdirSync(join(dir, '.git', 'orchestra'), { recursive: true });
  writeFileSync(
    join(dir, '.git', 'orchestra', 'registry.json'),
    JSON.stringify({
      version: 1,
      runs: {
        'run-2': {
          owner: { pid, host: hostname() },
          root: dir,
          base: 'abc',
          startedAt: '2026-01-02T04:00:00Z',
        },
      },
      worktrees: [],
      branches: [],
    }),
  );
}

describe('orchestra status', () => {
  it('shows the newest run: tasks, waves, cost so far, open fixes and how to resume (golden)', async () => {
    const dir = repoWithRuns();
    const r = runOrchestra(['status'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    await expect(r.stdout).toMatchFileSnapshot('./fixtures/golden/status-stopped.txt');
    expect(r.stdout).toContain('Continue it with: orchestra run --resume run-2 --budget-usd <usd>');
  });

  it('shows a finished run given by id (golden) and --json carries the same figures', async () => {
    const dir = repoWithRuns();
    const r = runOrchestra(['status', 'run-1'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    await expect(r.stdout).toMatchFileSnapshot('./fixtures/golden/status-run-1.txt');
    const j = runOrchestra(['status', 'run-1', '--json'], { cwd: dir });
    const v = JSON.parse(j.stdout);
    expect(v.state).toBe('failed');
    expect(v.merged).toEqual(['api', 'web']);
    expect(v.usage).toEqual({ totalTokens: 12_960, costUsd: 0.03 + 0.0125 + 0.004 + 0.0071 + 0 + 0.021 });
    expect(v.tasks.map((t: { id: string; attempts: number }) => [t.id, t.attempts])).toEqual([
      ['api', 2],
      ['db', 1],
      ['web', 1],
    ]);
  });

  it('tells an interrupted run (its process is gone) from one still running, through the worktree registry', () => {
    const dir = repoWithRuns({ git: true });
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    registerOwner(dir, gone);
    const dead = JSON.parse(runOrchestra(['status', 'run-2', '--json'], { cwd: dir }).stdout);
    expect([dead.state, dead.resume]).toEqual(['interrupted', 'orchestra run --resume run-2']);
    registerOwner(dir, process.pid);
    const alive = JSON.parse(runOrchestra(['status', 'run-2', '--json'], { cwd: dir }).stdout);
    expect([alive.state, alive.resume]).toEqual(['running', null]);
    // Without a registry entry (here: no git repository) the hub alone cannot tell.
    const plain = repoWithRuns({ running: true });
    const unsure = runOrchestra(['status', 'run-2'], { cwd: plain });
    expect(unsure.stdout).toMatch(/^run run-2 {2}running or interrupted$/m);
    expect(unsure.stdout).toContain(
      'if its process is gone (killed, crashed), continue it with: orchestra run --resume run-2',
    );
  });

  it('exits 2 for an unknown run and for a repository without a hub', () => {
    const dir = repoWithRuns();
    const r = runOrchestra(['status', 'nope'], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([
      2,
      'orchestra: no run "nope" in the hub; `orchestra runs` lists them\n',
    ]);
    const empty = tempHubRepo(() => {});
    dirs.push(empty.cleanup);
    const none = runOrchestra(['status'], { cwd: empty.dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^orchestra: no runs yet in .*: start one with orchestra run/);
  });
});

describe('orchestra runs', () => {
  it('lists the runs newest first, cut to COLUMNS (golden)', async () => {
    const dir = repoWithRuns();
    const r = runOrchestra(['runs'], { cwd: dir, env: { COLUMNS: '80' } });
    expect(r.code, r.stderr).toBe(0);
    for (const line of r.stdout.trimEnd().split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    await expect(r.stdout).toMatchFileSnapshot('./fixtures/golden/runs.txt');
  });

  it('--json lists id, created, status, goal, tasks done/total and cost', () => {
    const dir = repoWithRuns();
    const r = runOrchestra(['runs', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const runs = JSON.parse(r.stdout);
    expect(
      runs.map((x: { id: string; status: string; done: number; total: number }) => [
        x.id,
        x.status,
        x.done,
        x.total,
      ]),
    ).toEqual([
      ['run-2', 'stopped', 1, 2],
      ['run-1', 'failed', 2, 3],
    ]);
    expect(runs[0].costUsd).toBe(0.03);
  });

  it('finds the runs from inside a linked worktree (a task worktree) in the main checkout', () => {
    const dir = repoWithRuns({ git: true });
    const wt = join(dir, '.orchestra', 'worktrees', 'run-2', 'schema');
    sh(dir, 'worktree', 'add', '-q', '-b', 'orchestra/run-2/schema', wt);
    const r = runOrchestra(['runs', '--json'], { cwd: join(wt) });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).map((x: { id: string }) => x.id)).toEqual(['run-2', 'run-1']);
  });

  it('exits 2 with how to start a run when the repository has none', () => {
    const empty = tempHubRepo(() => {});
    dirs.push(empty.cleanup);
    const r = runOrchestra(['runs'], { cwd: empty.dir });
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('start one with orchestra run "<request>"');
  });
});
