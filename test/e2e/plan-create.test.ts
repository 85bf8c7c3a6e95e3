import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { PlanInput } from '../../src/domain/plan.js';
import {
  createClaudeCodeExecutor,
  type ExecutionOutcome,
  type Executor,
  emptyUsage,
} from '../../src/executor/index.js';
import { openHub } from '../../src/hub/index.js';
import { createPlan, PlanRejectedError } from '../../src/orchestrator/plan-create.js';
import { type Scenario, scenario, startModelServer } from '../../src/testing/index.js';
import { runOrchestraAsync } from '../support/cli.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { gitRepo } from '../support/scenario-fixtures.js';

// `plan create` with the real Claude Code binary playing the orchestrator against the scripted model.

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const REQUEST =
  'Real-time collaborative editing over WebSockets. PostgreSQL + Redis, no socket.io, sub-100ms latency.';
const OPERATION = 'export interface Operation { userId: string; operation: Transform }';
const good: PlanInput = {
  version: 1,
  goal: 'Real-time collaborative editing',
  contracts: [{ id: 'operation', kind: 'typescript', owner: 'types', definition: OPERATION }],
  tasks: [
    {
      id: 'types',
      title: 'Message types',
      agent: 'types-specialist',
      owns: ['src/types/**'],
      provides: ['operation'],
      successCriteria: [{ description: 'compiles', command: 'npx tsc --noEmit' }],
    },
    {
      id: 'server',
      title: 'WebSocket server',
      agent: 'backend-specialist',
      owns: ['src/server/**'],
      dependsOn: ['types'],
      consumes: ['operation'],
      successCriteria: [{ description: 'tests', command: 'npm test' }],
    },
  ],
};
// Two defects: a cycle, and two concurrent tasks owning the same files.
const broken: PlanInput = {
  ...good,
  tasks: [
    { ...good.tasks[0]!, dependsOn: ['server'] },
    { ...good.tasks[1]!, owns: ['src/**'] },
    { id: 'client', title: 'Client', agent: 'frontend-specialist', owns: ['src/server/**'] },
  ],
};

async function setup(s: Scenario) {
  const server = await startModelServer(s);
  cleanup.push(() => server.close({ verify: false }));
  const dir = tempDir('orchestra-plan-');
  cleanup.push(dir.remove);
  const root = realpathSync(dir.path);
  const repo = gitRepo(path.join(root, 'repo'), {
    'package.json': JSON.stringify({ name: 'collab', dependencies: { ws: '^8.0.0', pg: '^8.0.0' } }),
    'src/shared/ids.ts': 'export type UserId = string;\nexport function newId(): UserId { return "x"; }\n',
  });
  const env = claudeTestEnv(server.url, root);
  const executor = createClaudeCodeExecutor({ env, model: 'claude-sonnet-4-5' });
  const create = (over: Partial<Parameters<typeof createPlan>[0]> = {}) =>
    createPlan({ cwd: repo, request: REQUEST, executor, homeDir: root, ...over });
  const hub = () => {
    const h = openHub({ path: path.join(repo, '.orchestra', 'hub.db') });
    cleanup.push(() => h.close());
    return h;
  };
  return { server, repo, root, env, create, hub };
}

const firstRound = { agent: 'orchestrator', text: '# Request' };
const repairRound = { agent: 'orchestrator', text: '# Repair the plan' };

describe('orchestra plan create (real binary, scripted orchestrator)', () => {
  it('stores a valid plan in the hub with contracts as version 1, writes it as YAML, records constraints and cost', async () => {
    const t = await setup(
      scenario()
        .on(firstRound)
        .structured(good as Record<string, unknown>)
        .usage({ input: 5000, output: 800 }),
    );
    const out = await t.create();
    expect(out.rounds).toBe(1);
    expect(out.usage).toMatchObject({ inputTokens: 5000, outputTokens: 800 });
    const hub = t.hub();
    const run = hub.runs.get(out.runId);
    expect(run?.status).toBe('planning');
    expect(run?.plan?.tasks.map((x) => x.id)).toEqual(['types', 'server']);
    expect(hub.contracts.get(out.runId, 'operation')).toMatchObject({ version: 1, definition: OPERATION });
    // The request's constraints became decisions, constraints and excluded dependencies, each in
    // its own list once (a constraint is not copied as a made-up decision).
    expect(run?.plan?.architecture.excludedDependencies).toEqual(['socket.io']);
    expect(run?.plan?.architecture.constraints).toEqual(['Sub-100ms latency']);
    const decisions = hub.decisions.list(out.runId).map((d) => d.decision);
    expect(decisions).toEqual([
      'PostgreSQL for persistence',
      'Redis for pub/sub and caching',
      'WebSocket for real-time transport',
    ]);
    expect(hub.usage.summary(out.runId, 'layer').groups).toEqual([
      expect.objectContaining({ key: 'orchestrator', inputTokens: 5000, outputTokens: 800 }),
    ]);
    const yaml = parse(readFileSync(out.planPath, 'utf8')) as PlanInput;
    expect(yaml.tasks.map((x) => x.id)).toEqual(['types', 'server']);
    expect(out.planPath).toBe(path.join(t.repo, '.orchestra', 'runs', out.runId, 'plan.yaml'));
    // The orchestrator was given our survey: tree, dependencies, exports, agents; read-only tools only.
    const body = t.server.requests[0]?.body as { tools: Array<{ name: string }> } & Record<string, unknown>;
    const text = JSON.stringify(body);
    expect(text).toContain('src/shared/ids.ts');
    expect(text).toContain('dependencies: pg, ws');
    expect(text).toContain('export function newId(): UserId');
    expect(text).toContain('backend-specialist: ');
    // The binary adds a DeferredToolPlaceholder entry of its own; the hook refuses it like any other.
    const tools = body.tools.map((x) => x.name).filter((n) => n !== 'DeferredToolPlaceholder');
    expect(tools.sort()).toEqual(['Glob', 'Grep', 'Read', 'StructuredOutput']);
  });

  it("writes the orchestrator's usage per turn as it streams: a planning that dies keeps what it spent", async () => {
    const t = await setup(scenario());
    // The orchestrator's process streams two turns and dies without reporting its totals.
    const dying: Executor = {
      specVersion: 'v1',
      name: 'dying',
      start: (_request, options) => {
        const turn = (input: number, output: number) =>
          options?.onEvent?.({
            type: 'usage',
            model: 'claude-sonnet-4-5',
            usage: {
              inputTokens: input,
              outputTokens: output,
              cacheCreationInputTokens: 0,
              cacheReadInputTokens: 0,
            },
          });
        turn(3000, 100);
        turn(3500, 120);
        const outcome: ExecutionOutcome = {
          status: 'crashed',
          usage: emptyUsage(),
          costUsd: 0,
          numTurns: 0,
          denials: [],
          filesChanged: [],
          reason: 'crashed: killed',
        };
        return {
          events: (async function* () {})(),
          outcome: Promise.resolve(outcome),
          terminate: async () => {},
        };
      },
    };
    const err = await t.create({ executor: dying }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/did not answer with a plan/);
    const hub = t.hub();
    const runs = hub.runs.list();
    expect(runs.map((r) => [r.status, r.plan])).toEqual([['failed', null]]);
    const rows = hub.usage.list(runs[0]!.id);
    expect(rows.map((r) => [r.layer, r.attempt, r.inputTokens, r.outputTokens])).toEqual([
      ['orchestrator', 1, 3000, 100],
      ['orchestrator', 1, 3500, 120],
    ]);
    expect(rows.every((r) => r.costUsd > 0)).toBe(true);
  });

  it('repairs an invalid first answer; the second request carries the validation problems', async () => {
    const t = await setup(
      scenario()
        .on(firstRound)
        .structured(broken as Record<string, unknown>)
        .on(repairRound)
        .structured(good as Record<string, unknown>),
    );
    const out = await t.create();
    expect(out.rounds).toBe(2);
    const repair = t.server.requests.find((r) => JSON.stringify(r.body).includes('# Repair the plan'));
    const text = JSON.stringify(repair?.body);
    expect(text).toMatch(/cycle/i);
    expect(text).toMatch(/types → server → types|server → types → server/);
    expect(text).toMatch(/overlap/i);
  });

  it('ends with the problems and exit 2 when the plan stays invalid; nothing runnable is stored', async () => {
    const t = await setup(
      scenario()
        .on(firstRound)
        .structured(broken as Record<string, unknown>)
        .on(repairRound)
        .structured(broken as Record<string, unknown>),
    );
    const err = await t.create({ repairRounds: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanRejectedError);
    expect((err as PlanRejectedError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/cycle/);
    const runs = t.hub().runs.list();
    expect(runs.map((r) => [r.status, r.plan])).toEqual([['failed', null]]);
    expect(existsSync(path.join(t.repo, '.orchestra', 'runs'))).toBe(false);
  });

  it('refuses the orchestrator any Write, Edit or Bash; no file changes', async () => {
    const t = await setup(
      scenario()
        .on(firstRound)
        .write('src/hack.ts', 'export const hacked = true;\n')
        .edit('package.json', '"collab"', '"hacked"')
        .bash('echo hacked > hacked.txt')
        .structured(good as Record<string, unknown>),
    );
    const before = execFileSync('git', ['status', '--porcelain'], { cwd: t.repo, encoding: 'utf8' });
    const out = await t.create();
    expect(out.rounds).toBe(1);
    expect(existsSync(path.join(t.repo, 'src/hack.ts'))).toBe(false);
    expect(existsSync(path.join(t.repo, 'hacked.txt'))).toBe(false);
    expect(readFileSync(path.join(t.repo, 'package.json'), 'utf8')).toContain('"collab"');
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: t.repo, encoding: 'utf8' })).toBe(before);
    // Every attempt came back to the model as an error.
    const results = JSON.stringify(t.server.requests.at(-1)?.body);
    expect((results.match(/"is_error":true/g) ?? []).length).toBeGreaterThanOrEqual(3);
  });

  it("uses the user's own orchestrator definition, still with read-only tools only", async () => {
    const t = await setup(
      scenario()
        .on({ agent: 'orchestrator', text: 'HOUSE RULES' })
        .structured(good as Record<string, unknown>),
    );
    mkdirSync(path.join(t.repo, '.claude', 'agents'), { recursive: true });
    writeFileSync(
      path.join(t.repo, '.claude', 'agents', 'orchestrator.md'),
      '---\nname: orchestrator\ndescription: ours\ntools: Read, Write, Bash, Grep\n---\nHOUSE RULES: plan small tasks.\n',
    );
    await t.create();
    const body = t.server.requests[0]?.body as { tools: Array<{ name: string }> };
    const tools = body.tools.map((x) => x.name);
    expect(tools).toEqual(expect.arrayContaining(['Grep', 'Read', 'StructuredOutput']));
    for (const w of ['Write', 'Bash', 'Edit', 'Glob']) expect(tools).not.toContain(w);
  });
});

describe('orchestra plan create (built CLI)', () => {
  it('prints tasks, owners, waves, contracts and the graph; exit 2 with the problems when the plan stays invalid', async () => {
    const t = await setup(
      scenario()
        .on(firstRound)
        .structured(good as Record<string, unknown>)
        .on(firstRound)
        .structured(broken as Record<string, unknown>)
        .on(repairRound)
        .structured(broken as Record<string, unknown>)
        .on(repairRound)
        .structured(broken as Record<string, unknown>),
    );
    const ok = await runOrchestraAsync(['plan', 'create', REQUEST], { cwd: t.repo, env: t.env });
    expect(ok.code, ok.stderr).toBe(0);
    for (const s of [
      'types-specialist',
      'backend-specialist',
      'src/types/**',
      'operation',
      'graph TD',
      'Wave',
    ])
      expect(ok.stdout).toContain(s);
    expect(ok.stdout).toMatch(/Run \S+: plan stored in the hub/);
    const bad = await runOrchestraAsync(['plan', 'create', REQUEST], { cwd: t.repo, env: t.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/still invalid after 3 rounds/);
    expect(bad.stderr).toMatch(/cycle/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
