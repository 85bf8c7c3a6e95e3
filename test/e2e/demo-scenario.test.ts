import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAgents } from '../../src/agents/index.js';
import { createDemoRepo, demoScenario, MISMATCH } from '../../src/demo/index.js';
import { createClaudeCodeExecutor } from '../../src/executor/index.js';
import { openRunWorktrees } from '../../src/executor/worktrees.js';
import { hubPath, openHub } from '../../src/hub/index.js';
import { createPlan } from '../../src/orchestrator/plan-create.js';
import { runTask } from '../../src/run/task-runner.js';
import { planWaves } from '../../src/scheduler/index.js';
import { startModelServer } from '../../src/testing/index.js';
import { validateRun } from '../../src/validator/index.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';

// The demo's script played layer by layer, without the run engine: the orchestrator plans, each
// specialist runs with the real binary in wave order, the validator finds the planted mismatch,
// the backend's fix attempt repairs it and the integration branch is green. A regression test of
// the scenario itself, so a change to the sample or the script is caught even if the engine moves.

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('the demo scenario, played without the engine', () => {
  it('plans, runs six specialists in waves, catches user_id: number vs userId: string, fixes it, ends green', async () => {
    const tmp = tempDir('orchestra-demo-scenario-');
    cleanup.push(tmp.remove);
    const world = await createDemoRepo({ tmpDir: realpathSync(tmp.path) });
    const demo = demoScenario();
    const server = await startModelServer(demo.scenario);
    cleanup.push(() => server.close({ verify: false }));
    const env = claudeTestEnv(server.url, world.home);
    const executor = createClaudeCodeExecutor({ env, model: 'claude-sonnet-4-5' });

    // Layer 1: the orchestrator's plan, validated and stored.
    const created = await createPlan({
      cwd: world.repo,
      request: demo.request,
      executor,
      homeDir: world.home,
    });
    const { runId, plan } = created;
    expect(plan.tasks.map((t) => t.agent)).toEqual([
      'types-specialist',
      'database-specialist',
      'performance-specialist',
      'frontend-specialist',
      'backend-specialist',
      'test-specialist',
    ]);
    const hub = openHub({ path: hubPath(world.repo) });
    cleanup.push(() => hub.close());
    const worktrees = await openRunWorktrees({ cwd: world.repo, runId });
    cleanup.push(() => worktrees.finish());
    hub.runs.setBase(runId, worktrees.base);
    const agents = new Map(
      loadAgents({ cwd: world.repo, homeDir: world.home }).agents.map((a) => [a.name, a]),
    );
    const run = (taskId: string) => {
      const task = plan.tasks.find((t) => t.id === taskId);
      const agent = task && agents.get(task.agent);
      if (!agent) throw new Error(`no agent for ${taskId}`);
      return runTask({ hub, executor, worktrees, runId, plan, taskId, agent, model: 'claude-sonnet-4-5' });
    };

    // Layer 3: the specialists, wave by wave (three tracks meet at the server, then the tests).
    const { waves } = planWaves(plan.tasks, { maxParallel: 3, contextBudget: 60_000 });
    expect(waves.map((w) => w.taskIds)).toEqual([
      ['types'],
      expect.arrayContaining(['database', 'pubsub', 'client']),
      ['server'],
      ['integration-tests'],
    ]);
    for (const wave of waves) {
      const outs = await Promise.all(wave.taskIds.map(run));
      for (const o of outs) expect(o.status, `${o.taskId}: ${o.reason}`).toBe('succeeded');
    }

    // Layer 4: the validator catches the article's day-2 mismatch, statically, in the server only.
    const first = await validateRun({ cwd: world.repo, runId, hub });
    expect(first.ok).toBe(false);
    expect(first.merges.every((m) => m.ok)).toBe(true);
    const errors = first.findings.filter((f) => f.severity === 'error');
    expect(new Set(errors.map((f) => f.taskId))).toEqual(new Set([MISMATCH.taskId]));
    expect(new Set(errors.map((f) => f.kind))).toEqual(new Set(['contract', 'type-error']));
    const contract = errors.find((f) => f.kind === 'contract');
    expect(contract?.title).toBe('Interface mismatch in Operation type (contract operation)');
    expect(contract?.location?.file).toBe(MISMATCH.file);
    expect(contract?.defects).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'renamed-property', member: 'userId', actual: 'user_id: number' }),
        expect.objectContaining({ kind: 'property-type', member: 'operation' }),
      ]),
    );
    expect(
      errors.filter((f) => f.kind === 'type-error').every((f) => f.location?.file === MISMATCH.file),
    ).toBe(true);
    // The integration tests pass at run time (JSON carries userId either way): only the contract
    // and type checks see the mismatch, as in the article.
    expect(first.findings.some((f) => f.kind === 'criterion')).toBe(false);
    const open = hub.fixes.list(runId, { status: 'open' });
    expect(open.length).toBe(errors.length);
    expect(new Set(open.map((f) => f.ownerTask))).toEqual(new Set([MISMATCH.taskId]));

    // The fix wave: the owner runs again on its branch with the fixes first in its packet.
    const fixed = await run(MISMATCH.taskId);
    expect(fixed.status, fixed.reason).toBe('succeeded');
    expect(fixed.attempts).toHaveLength(1);
    const fixRequest = server.requests.find((r) => JSON.stringify(r.body).includes('## Fix first'));
    expect(JSON.stringify(fixRequest?.body)).toContain('Interface mismatch in Operation type');
    for (const f of open) hub.fixes.setStatus(f.id, 'resolved');

    const second = await validateRun({ cwd: world.repo, runId, hub });
    expect(second.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(second.ok).toBe(true);
    const tree = second.integrationWorktree as string;
    const show = (path: string) =>
      execFileSync('git', ['show', `${second.integrationBranch}:${path}`], {
        cwd: world.repo,
        encoding: 'utf8',
      });
    expect(show(MISMATCH.file)).not.toContain('user_id');
    expect(show(MISMATCH.file)).toContain(
      "import type { ClientMessage, ServerMessage } from '../types/messages.js';",
    );
    const tests = execFileSync(process.execPath, ['scripts/test.mjs'], { cwd: tree, encoding: 'utf8' });
    expect(tests).toMatch(/^# pass 7$/m);
    expect(tests).toMatch(/^# fail 0$/m);

    // Every scripted turn was played, and the hub's tokens equal the script's.
    await server.close();
    const layers = hub.usage.summary(runId, 'layer').groups;
    const of = (layer: string) => layers.find((g) => g.key === layer);
    expect(of('orchestrator')).toMatchObject(demo.usage.orchestrator);
    expect(of('specialist')).toMatchObject(demo.usage.specialists);
    const byTask = hub.usage.summary(runId, 'task').groups;
    for (const [taskId, usage] of Object.entries(demo.usage.tasks))
      expect(
        byTask.find((g) => g.key === taskId),
        taskId,
      ).toMatchObject(usage);
  });
});
