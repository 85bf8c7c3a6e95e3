import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runWorktreesDir } from '../../src/config/index.js';
import type { PlanInput } from '../../src/domain/plan.js';
import { planSchema } from '../../src/domain/plan.js';
import { type ClaudeCodeExecutorSettings, createClaudeCodeExecutor } from '../../src/executor/index.js';
import { openRunWorktrees } from '../../src/executor/worktrees.js';
import { openHub } from '../../src/hub/index.js';
import { runTask } from '../../src/run/task-runner.js';
import { type Scenario, scenario, startModelServer } from '../../src/testing/index.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { gitRepo, testAgent } from '../support/scenario-fixtures.js';

// One task through the whole specialist path: worktree, lease, packet, the real Claude Code binary
// watched by the lifecycle monitor, respawn from a handoff, commit, scope check, hub records.

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const done = { summary: 'api done', contracts: [], testRequirements: [], dependenciesNeeded: [], notes: [] };
const plan = (owns = ['src/api/**']) =>
  planSchema.parse({
    version: 1,
    goal: 'An API',
    tasks: [
      {
        id: 'api',
        title: 'Build the API',
        agent: 'backend-specialist',
        instructions: 'Write src/api.',
        owns,
      },
    ],
  } satisfies PlanInput);

async function setup(s: Scenario, executorSettings: Partial<ClaudeCodeExecutorSettings> = {}, p = plan()) {
  const server = await startModelServer(s);
  cleanup.push(() => server.close({ verify: false }));
  const dir = tempDir('orchestra-task-');
  cleanup.push(dir.remove);
  const root = realpathSync(dir.path);
  const repo = gitRepo(path.join(root, 'repo'), { 'README.md': '# r\n', 'src/api/.keep': '' });
  const hub = openHub({ path: path.join(repo, '.orchestra', 'hub.db') });
  cleanup.push(() => hub.close());
  hub.runs.create({ id: 'r1', goal: p.goal, repo, plan: p });
  for (const t of p.tasks) hub.tasks.upsert({ runId: 'r1', id: t.id, agent: t.agent, status: 'queued' });
  const worktrees = await openRunWorktrees({ cwd: repo, runId: 'r1' });
  cleanup.push(() => worktrees.finish());
  const executor = createClaudeCodeExecutor({
    env: claudeTestEnv(server.url, root),
    model: 'claude-sonnet-4-5',
    maxTurns: 12,
    ...executorSettings,
  });
  const run = (over: Partial<Parameters<typeof runTask>[0]> = {}) =>
    runTask({ hub, executor, worktrees, runId: 'r1', plan: p, taskId: 'api', agent: testAgent(), ...over });
  return { server, repo, hub, worktrees, run };
}

describe('runTask with the real Claude Code binary', () => {
  it('terminates an A→B→A edit loop, stores a handoff, and a fresh attempt continues from it', async () => {
    const t = await setup(
      scenario()
        .on({ taskId: 'api' })
        .write('src/api/a.ts', 'export const a = 1;\n')
        .read('src/api/a.ts')
        .write('src/api/a.ts', 'export const a = 2;\n')
        .write('src/api/a.ts', 'export const a = 1;\n')
        .on({ taskId: 'api', text: 'Where the previous attempt stopped' })
        .write('src/api/b.ts', 'export const b = 1;\n')
        .structured(done),
    );
    const out = await t.run();
    expect(out.status, out.reason).toBe('succeeded');
    expect(out.attempts.map((a) => [a.status, a.handoffStored])).toEqual([
      ['terminated', true],
      ['succeeded', false],
    ]);
    expect(out.attempts[0]?.reason).toMatch(/^loop: .*src\/api\/a\.ts/);
    const handoffs = t.hub.handoffs.forTask('r1', 'api');
    expect(handoffs).toHaveLength(1);
    // The second attempt's request carried the handoff in its packet.
    const second = t.server.requests.filter((r) =>
      JSON.stringify(r.body).includes('Where the previous attempt stopped'),
    );
    expect(second.length).toBeGreaterThan(0);
    expect(JSON.stringify(second[0]?.body)).toContain('src/api/a.ts');
    const terminated = t.hub.events.list({ runId: 'r1', taskId: 'api', type: 'task.terminated' });
    expect(terminated.map((e) => (e.type === 'task.terminated' ? e.reason : ''))).toEqual(['loop']);
    expect(out.filesChanged.sort()).toEqual(['src/api/a.ts', 'src/api/b.ts']);
    expect(t.hub.tasks.get('r1', 'api')?.status).toBe('succeeded');
    expect(existsSync(path.join(t.repo, 'src/api/b.ts'))).toBe(false); // the user's checkout is untouched
  });

  it('respawns when context use crosses 85% and gives up after three consecutive tool failures', async () => {
    const t = await setup(
      scenario()
        .on({ taskId: 'api' })
        .write('src/api/a.ts', 'export const a = 1;\n')
        .read('src/api/a.ts')
        .usage({ input: 150_000, cacheRead: 25_000, output: 10 })
        .on({ taskId: 'api', text: 'Where the previous attempt stopped' })
        .bash('exit 3')
        .bash('exit 4')
        .bash('exit 5'),
    );
    const out = await t.run({ maxAttempts: 2 });
    expect(out.status).toBe('terminated');
    expect(out.attempts.map((a) => a.reason?.split(':')[0])).toEqual(['context', 'failures']);
    const reasons = t.hub.events
      .list({ runId: 'r1', taskId: 'api', type: 'task.terminated' })
      .map((e) => (e.type === 'task.terminated' ? e.reason : ''));
    expect(reasons).toEqual(['context', 'failures']);
    expect(t.hub.tasks.get('r1', 'api')?.status).toBe('terminated');
    // Work in progress is kept on the task branch.
    expect(out.commit).not.toBeNull();
  });

  it('fails a task whose Bash wrote outside its ownership: the scope check on the branch diff catches it', async () => {
    const t = await setup(
      scenario()
        .on({ taskId: 'api' })
        .write('src/api/a.ts', 'export const a = 1;\n')
        .bash('mkdir -p src/web && echo hack > src/web/x.ts')
        .structured(done),
    );
    const out = await t.run();
    expect(out.status).toBe('failed');
    expect(out.scopeViolations).toEqual(['src/web/x.ts']);
    expect(out.reason).toMatch(/scope: .*src\/web\/x\.ts/);
    expect(readFileSync(path.join(t.repo, 'README.md'), 'utf8')).toBe('# r\n');
  });

  it('records tokens per turn and per task equal to the scripted figures', async () => {
    const t = await setup(
      scenario()
        .on({ taskId: 'api' })
        .write('src/api/a.ts', 'export const a = 1;\n')
        .usage({ input: 1200, output: 30, cacheCreation: 100, cacheRead: 50 })
        .structured(done)
        .usage({ input: 1300, output: 20, cacheCreation: 0, cacheRead: 1250 }),
    );
    const out = await t.run();
    expect(out.status, out.reason).toBe('succeeded');
    const turns = t.hub.events
      .list({ runId: 'r1', taskId: 'api', type: 'usage' })
      .map((e) => (e.type === 'usage' ? e.usage : null));
    expect(turns).toEqual([
      { inputTokens: 1200, outputTokens: 30, cacheCreationInputTokens: 100, cacheReadInputTokens: 50 },
      { inputTokens: 1300, outputTokens: 20, cacheCreationInputTokens: 0, cacheReadInputTokens: 1250 },
    ]);
    expect(out.usage).toEqual({
      inputTokens: 2500,
      outputTokens: 50,
      cacheCreationInputTokens: 100,
      cacheReadInputTokens: 1300,
    });
  });
});

describe('runTask: parallel specialists, crashes and hangs', () => {
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

  it('runs two specialists in parallel in separate worktrees; each branch holds exactly its own changes', async () => {
    const two = planSchema.parse({
      version: 1,
      goal: 'two',
      tasks: [
        { id: 'api', title: 'API', agent: 'backend-specialist', owns: ['src/api/**'] },
        { id: 'web', title: 'Web', agent: 'frontend-specialist', owns: ['src/web/**'] },
      ],
    } satisfies PlanInput);
    const t = await setup(
      scenario()
        .on({ taskId: 'api' })
        .write('src/api/a.ts', 'export const a = 1;\n')
        .structured(done)
        .on({ taskId: 'web' })
        .write('src/web/w.ts', 'export const w = 1;\n')
        .structured(done),
      {},
      two,
    );
    const before = { head: git(t.repo, 'rev-parse', 'HEAD'), status: git(t.repo, 'status', '--porcelain') };
    const [api, web] = await Promise.all([
      t.run({ taskId: 'api' }),
      t.run({ taskId: 'web', agent: testAgent('frontend-specialist') }),
    ]);
    expect([api.status, web.status]).toEqual(['succeeded', 'succeeded']);
    const diff = (branch: string) => git(t.repo, 'diff', '--name-only', `${before.head}...${branch}`);
    expect(diff(api.branch)).toBe('src/api/a.ts');
    expect(diff(web.branch)).toBe('src/web/w.ts');
    expect(git(t.repo, 'rev-parse', 'HEAD')).toBe(before.head);
    expect(git(t.repo, 'status', '--porcelain')).toBe(before.status);
    expect(existsSync(path.join(t.repo, 'src/api/a.ts'))).toBe(false);
  });

  it('detects a hung process, reports it and removes its worktree (the branch keeps the work)', async () => {
    const t = await setup(
      scenario().on({ taskId: 'api' }).write('src/api/a.ts', 'export const a = 1;\n').hang(),
      {
        hungAfterMs: 2_000,
      },
    );
    const out = await t.run({ maxAttempts: 1 });
    expect(out.status).toBe('failed');
    expect(out.attempts[0]?.status).toBe('hung');
    expect(out.reason).toMatch(/hung/);
    expect(t.hub.tasks.get('r1', 'api')?.reason).toMatch(/hung/);
    expect(existsSync(path.join(runWorktreesDir({ root: t.repo, runId: 'r1' }), 'api'))).toBe(false);
    expect(git(t.repo, 'show', `${out.branch}:src/api/a.ts`)).toBe('export const a = 1;');
  });

  it('detects a crashed process, reports it and removes its worktree', async () => {
    const dir = tempDir('orchestra-crash-');
    cleanup.push(dir.remove);
    const fake = path.join(dir.path, 'claude');
    writeFileSync(fake, '#!/bin/sh\necho "segfault in the agent" >&2\nexit 139\n');
    chmodSync(fake, 0o755);
    const t = await setup(scenario(), { pathToClaudeCodeExecutable: fake });
    const out = await t.run({ maxAttempts: 1 });
    expect(out.status).toBe('failed');
    expect(out.attempts[0]?.status).toBe('crashed');
    expect(t.hub.tasks.get('r1', 'api')?.reason).toMatch(/crashed/);
    expect(existsSync(path.join(runWorktreesDir({ root: t.repo, runId: 'r1' }), 'api'))).toBe(false);
  });
});
