import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { planSchema } from '../../src/domain/plan.js';
import { hubPath, loadTokenizer, openHub } from '../../src/hub/index.js';
import { runOrchestra } from '../support/cli.js';

const PLAN = `version: 1
goal: Real-time collaborative editing
architecture:
  decisions:
    - { id: d1, decision: "PostgreSQL for persistence, Redis pub/sub for broadcast" }
  constraints: ["Sub-100ms latency"]
  excludedDependencies: ["socket.io"]
contracts:
  - id: operation
    kind: typescript
    owner: types
    definition: |
      export interface Operation { userId: string; operation: Transform }
tasks:
  - id: types
    title: Message type definitions
    agent: types-specialist
    owns: ["src/types/**"]
    provides: [operation]
  - id: server
    title: WebSocket server
    agent: backend-specialist
    instructions: Accept connections and broadcast operations.
    owns: ["src/server/**"]
    reads: ["src/types/**"]
    dependsOn: [types]
    consumes: [operation]
    successCriteria:
      - { description: "server tests pass", command: "npx vitest run src/server" }
`;

let repo: string;
let home: string;
beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'task-context-'));
  home = mkdtempSync(join(tmpdir(), 'task-context-home-'));
  mkdirSync(join(repo, '.git'));
  writeFileSync(join(repo, 'plan.yaml'), PLAN);
});
afterEach(() => {
  rmSync(repo, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

const run = (...args: string[]) =>
  runOrchestra(['task', 'context', ...args], { cwd: repo, env: { HOME: home } });

describe('orchestra task context', () => {
  it('prints the packet from the plan alone, with its token count', async () => {
    const r = run('plan.yaml', 'server');
    expect(r.code, r.stderr).toBe(0);
    // Exactly what is appended to Claude Code's prompt: the role first, the task after the run's context.
    expect(r.stdout).toMatch(/^# Your role: backend-specialist\n/);
    expect(r.stdout).toMatch(
      /\norchestra-task: server\norchestra-agent: backend-specialist\n\n# Task server: WebSocket server\n/,
    );
    expect(r.stdout).toContain('export interface Operation { userId: string; operation: Transform }');
    expect(r.stdout).toContain('d1: PostgreSQL for persistence');
    const count = (await loadTokenizer()).count(r.stdout);
    expect(r.stderr).toContain(`${count} tokens (cl100k_base) of a 8000-token budget, from plan only`);
  });

  it('--json gives the packet, sections and omissions; --budget drops low-priority sections', async () => {
    const whole = JSON.parse(run('plan.yaml', 'server', '--json').stdout);
    expect(whole.runId).toBeNull();
    expect(whole.tokens).toBe((await loadTokenizer()).count(whole.text));
    const names = whole.sections.map((s: { name: string }) => s.name);
    expect(names.indexOf('agent')).toBe(0);
    expect(names.indexOf('task')).toBeGreaterThan(names.indexOf('decisions'));
    const r = run('plan.yaml', 'server', '--json', '--budget', String(whole.tokens - 1));
    expect(r.code, r.stderr).toBe(0);
    const small = JSON.parse(r.stdout);
    expect(small.omitted.length).toBeGreaterThan(0);
    expect(small.tokens).toBeLessThan(whole.tokens);
    expect(small.text).toContain('## Left out to fit the context budget');
  });

  it("includes the hub's decisions and newest contracts when the repository has a hub", () => {
    const hub = openHub({ path: hubPath(repo) });
    const plan = planSchema.parse(parseYaml(PLAN));
    hub.runs.create({ id: 'run-1', goal: plan.goal, repo, plan });
    hub.decisions.add({ runId: 'run-1', id: 'd9', decision: 'Operations carry a Lamport clock' });
    hub.contracts.put('run-1', {
      ...plan.contracts[0]!,
      definition: 'export interface Operation { userId: string; clock: number }',
    });
    hub.close();
    const r = run('plan.yaml', 'server', '--json');
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.runId).toBe('run-1');
    expect(p.text).toContain('d9: Operations carry a Lamport clock');
    expect(p.text).toContain('## Contract operation: you consume it from types (typescript, v2)');
    expect(run('plan.yaml', 'server', '--run', 'nope').stderr).toMatch(/no run "nope"/);
  });

  it.each([
    [['missing.yaml', 'server'], /cannot read plan missing\.yaml: no such file/],
    [['plan.yaml', 'nope'], /plan\.yaml has no task "nope"; its tasks are: types, server/],
    [['plan.yaml', 'server', '--budget', 'lots'], /--budget must be a positive whole number/],
    [['plan.yaml', 'server', '--run', 'r1'], /--run r1 given, but .* does not exist/],
  ])('%j is bad input: exit 2 with what to do', (args, message) => {
    const r = run(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('an invalid plan is bad input pointing to plan check', () => {
    writeFileSync(join(repo, 'bad.yaml'), 'version: 1\ngoal: x\ntasks: []\n');
    const r = run('bad.yaml', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`orchestra plan check bad.yaml`');
  });
});
