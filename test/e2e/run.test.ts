import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runWorktreesDir } from '../../src/config/index.js';
import { openHub } from '../../src/hub/index.js';
import { runOrchestra } from '../../src/run/engine.js';
import type { RunOptions } from '../../src/run/engine-types.js';
import { buildReport } from '../../src/run/report.js';
import { type Scenario, startModelServer } from '../../src/testing/index.js';
import { runOrchestraAsync } from '../support/cli.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { runRepo, runScenario, SERVER_GOOD, TYPES_FILE } from './run-fixtures.js';

// The whole orchestra with the real Claude Code binary playing every specialist (scripted model).

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

async function setup(s: Scenario) {
  const server = await startModelServer(s);
  cleanup.push(() => server.close({ verify: false }));
  const dir = tempDir('orchestra-run-');
  cleanup.push(dir.remove);
  const root = realpathSync(dir.path);
  const { repo, planFile } = runRepo(path.join(root, 'repo'));
  const env = { ...claudeTestEnv(server.url, root), GIT_CONFIG_GLOBAL: '/dev/null' };
  const run = (over: Partial<RunOptions> = {}) =>
    runOrchestra({ cwd: repo, planFile, yes: true, env, homeDir: root, model: 'claude-sonnet-4-5', ...over });
  const hub = () => {
    const h = openHub({ path: path.join(repo, '.orchestra', 'hub.db') });
    cleanup.push(() => h.close());
    return h;
  };
  return { server, root, repo, planFile, env, run, hub };
}

describe('orchestra run (engine, real binary)', () => {
  it('runs strict waves, catches the mismatch, repairs it in a fix round, and leaves a green integration branch', async () => {
    const t = await setup(runScenario());
    const before = {
      head: git(t.repo, 'rev-parse', 'HEAD'),
      status: git(t.repo, 'status', '--porcelain'),
      branch: git(t.repo, 'branch', '--show-current'),
    };
    const out = await t.run({ maxParallel: 2, contextBudget: 10_000 });
    expect(out.status, out.reason).toBe('succeeded');
    expect(out.merged.sort()).toEqual(['client', 'server', 'types']);
    expect(out.fixRounds).toBe(1);
    expect(git(t.repo, 'show', `${out.integrationBranch}:src/server/apply.ts`)).toBe(SERVER_GOOD.trimEnd());
    // Each task merged exactly once into the final integration branch.
    const merges = git(t.repo, 'log', '--merges', '--format=%s', out.integrationBranch).split('\n');
    for (const id of ['types', 'server', 'client'])
      expect(merges.filter((m) => m.includes(`orchestra/${out.runId}/${id}`))).toHaveLength(1);
    // The user's checkout is untouched and the run cleaned up after itself.
    expect(git(t.repo, 'rev-parse', 'HEAD')).toBe(before.head);
    expect(git(t.repo, 'status', '--porcelain')).toBe(before.status);
    expect(git(t.repo, 'branch', '--show-current')).toBe(before.branch);
    expect(git(t.repo, 'branch', '--list', `orchestra/${out.runId}/*`)).toBe(
      `orchestra/${out.runId}/integration`,
    );
    expect(existsSync(path.join(t.repo, '.orchestra', 'worktrees'))).toBe(false);
    expect(existsSync(runWorktreesDir({ root: t.repo, runId: out.runId }))).toBe(false);
    // The hub tells the story: the finding, the fix task resolved, the waves within limits.
    const hub = t.hub();
    const findings = hub.events.list({ runId: out.runId, type: 'validation.finding' });
    expect(findings.some((e) => e.taskId === 'server')).toBe(true);
    const fixes = hub.fixes.list(out.runId);
    expect(fixes.length).toBeGreaterThan(0);
    expect(new Set(fixes.map((f) => `${f.ownerTask}:${f.status}`))).toEqual(new Set(['server:resolved']));
    expect(fixes.some((f) => f.contractId === 'operation' || /user_id/.test(f.description))).toBe(true);
    const waves = hub.events.list({ runId: out.runId, type: 'wave.started' });
    expect(waves.map((w) => (w.type === 'wave.started' ? w.tasks : []))).toEqual([
      ['types'],
      expect.arrayContaining(['server', 'client']),
    ]);
    expect(hub.runs.get(out.runId)?.status).toBe('succeeded');
    // Handoffs: built on completion, placed in each dependent's packet.
    expect(hub.handoffs.forTask(out.runId, 'types').length).toBeGreaterThan(0);
    const serverRequest = t.server.requests.find((r) =>
      JSON.stringify(r.body).includes('orchestra-task: server'),
    );
    expect(JSON.stringify(serverRequest?.body)).toContain('Handoff from types');
    // Packets measured against the full context the task would otherwise need.
    const packets = hub.events.list({ runId: out.runId, type: 'packet.built' });
    expect(packets.length).toBeGreaterThanOrEqual(4);
    for (const p of packets) if (p.type === 'packet.built') expect(p.fullContextTokens).toBeGreaterThan(0);
  });

  it('never exceeds maxParallel or the context budget in strict waves (from the event log)', async () => {
    const t = await setup(runScenario());
    const out = await t.run({ maxParallel: 1, contextBudget: 6_000 });
    expect(out.status, out.reason).toBe('succeeded');
    const events = t.hub().events.list({ runId: out.runId });
    let running = 0;
    let peak = 0;
    for (const e of events) {
      if (e.type === 'wave.started') expect(e.estimatedTokens).toBeLessThanOrEqual(6_000);
      if (e.type === 'task.started') peak = Math.max(peak, ++running);
      if (e.type === 'task.finished' || e.type === 'task.failed') running--;
    }
    expect(peak).toBe(1);
    expect(events.filter((e) => e.type === 'wave.started')).toHaveLength(3);
  });

  it('stops a fix loop that never converges at its bound, with a clear reason', async () => {
    const t = await setup(runScenario({ serverFix: false }));
    const out = await t.run();
    expect(out.status).toBe('failed');
    expect(out.reason).toMatch(/did not converge after 3 rounds: \d+ fix tasks? still open \(server\)/);
    expect(out.openIssues.length).toBeGreaterThan(0);
  });

  it('stops cleanly before exceeding --budget-usd and resumes without redoing merged work', async () => {
    const t = await setup(runScenario());
    const first = await t.run({ budgetUsd: 0.01 });
    expect(first.status).toBe('stopped');
    expect(first.reason).toMatch(/--budget-usd 0.01/);
    const hub = t.hub();
    expect(hub.runs.get(first.runId)?.status).toBe('stopped');
    expect(hub.tasks.get(first.runId, 'types')?.status).toBe('merged');
    const second = await runOrchestra({
      cwd: t.repo,
      resumeRunId: first.runId,
      yes: true,
      env: t.env,
      homeDir: t.root,
      budgetUsd: 5,
    });
    expect(second.status, second.reason).toBe('succeeded');
    // types ran once over both processes: merged work is not redone.
    const started = hub.events
      .list({ runId: first.runId, type: 'task.started' })
      .filter((e) => e.taskId === 'types');
    expect(started).toHaveLength(1);
  });
});

describe('orchestra run: dynamic dispatch and --merge', () => {
  it('dynamic: starts tasks as soon as their dependencies are merged, and ends green', async () => {
    const t = await setup(runScenario());
    const out = await t.run({ waves: 'dynamic', maxParallel: 2 });
    expect(out.status, out.reason).toBe('succeeded');
    expect(out.merged.sort()).toEqual(['client', 'server', 'types']);
    const events = t.hub().events.list({ runId: out.runId });
    expect(events.some((e) => e.type === 'wave.started')).toBe(false);
    // Neither consumer started before types was merged.
    const mergedTypes = events.findIndex((e) => e.type === 'merge' && e.taskId === 'types' && e.ok);
    const firstConsumer = events.findIndex((e) => e.type === 'task.started' && e.taskId !== 'types');
    expect(mergedTypes).toBeGreaterThan(-1);
    expect(firstConsumer).toBeGreaterThan(mergedTypes);
  });

  it('--merge merges the green integration branch into the user branch, never over uncommitted changes', async () => {
    const t = await setup(runScenario({ repeat: 2 }));
    const out = await t.run({ merge: true });
    expect(out.status, out.reason).toBe('succeeded');
    expect(out.mergedInto).toBe('main');
    expect(git(t.repo, 'show', 'main:src/server/apply.ts')).toBe(SERVER_GOOD.trimEnd());
    // A second run on a checkout with uncommitted changes is not merged, and says why.
    writeFileSync(path.join(t.repo, 'src/index.ts'), 'export const name = "edited";\n');
    const head = git(t.repo, 'rev-parse', 'HEAD');
    const again = await t.run({ merge: true });
    expect(again.status, again.reason).toBe('succeeded');
    expect(again.mergedInto).toMatch(/^not merged: main has uncommitted changes/);
    expect(git(t.repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(readFileSync(path.join(t.repo, 'src/index.ts'), 'utf8')).toBe('export const name = "edited";\n');
  });
});

describe('orchestra run --baseline single-agent', () => {
  it('runs the request once more by one agent and the report shows both side by side', async () => {
    const s = runScenario();
    s.on({ taskId: 'baseline' })
      .write('src/types/operation.ts', TYPES_FILE)
      .usage({ input: 3000, output: 100 })
      .write('src/server/apply.ts', SERVER_GOOD)
      .usage({ input: 3500, output: 120 })
      .structured({ summary: 'all of it alone' })
      .usage({ input: 4000, output: 30 });
    const t = await setup(s);
    const out = await t.run({ baseline: 'single-agent' });
    expect(out.status, out.reason).toBe('succeeded');
    const report = buildReport(t.hub(), out.runId);
    expect(report.baseline).not.toBeNull();
    expect(JSON.stringify(report.baseline)).toMatch(/"inputTokens":10500/);
    // The orchestrated figures leave the baseline out.
    expect(report.tasks.map((x) => x.id)).not.toContain('baseline');
  });
});

describe('orchestra run (built CLI)', () => {
  it('refuses to start without a terminal and without --yes, saying how to go on (exit 2)', async () => {
    const t = await setup(runScenario());
    const r = await runOrchestraAsync(['run', '--plan', t.planFile], { cwd: t.repo, env: t.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no terminal to ask for approval/);
    expect(r.stderr).toMatch(/--yes/);
  });

  it('plays a plan with --yes --json: the event stream as JSON lines, then the outcome', async () => {
    const t = await setup(runScenario());
    const r = await runOrchestraAsync(
      ['run', '--plan', t.planFile, '--yes', '--json', '--model', 'claude-sonnet-4-5'],
      { cwd: t.repo, env: t.env },
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; status?: string });
    expect(lines[0]?.type).toBe('run.started');
    expect(lines.at(-1)).toMatchObject({ type: 'outcome', status: 'succeeded' });
    expect(lines.some((l) => l.type === 'fix.created')).toBe(true);
    expect(readFileSync(path.join(t.repo, 'tsconfig.json'), 'utf8')).toContain('strict');
  });
});
