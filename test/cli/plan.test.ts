import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runOrchestra } from '../support/cli.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/websocket/plan.yaml', import.meta.url));
const ok = [{ description: 'tests pass', command: 'npx vitest run' }];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'orchestra-plan-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run in the temp dir, with HOME there too so the user's own agents never count. */
const run = (args: string[]) => runOrchestra(args, { cwd: dir, env: { HOME: dir } });

interface TaskIn {
  id: string;
  title?: string;
  agent?: string;
  owns?: string[];
  reads?: string[];
  dependsOn?: string[];
  provides?: string[];
  consumes?: string[];
  successCriteria?: typeof ok;
}

let count = 0;
/** Write a plan (built-in agents, criteria on every task unless given) and return its file name. */
function writePlan(tasks: TaskIn[], contracts: object[] = [], ext = 'yaml'): string {
  const file = `plan-${++count}.${ext}`;
  const plan = {
    version: 1,
    goal: 'Test plan',
    contracts,
    tasks: tasks.map((t) => ({ title: t.id, agent: 'backend-specialist', successCriteria: ok, ...t })),
  };
  writeFileSync(join(dir, file), ext === 'json' ? JSON.stringify(plan, null, 2) : stringify(plan));
  return file;
}

const contract = (id: string, owner: string) => ({
  id,
  kind: 'typescript',
  owner,
  definition: `export type ${id} = string;`,
});

describe('orchestra plan check', () => {
  it('accepts the websocket example with exit 0', () => {
    const r = runOrchestra(['plan', 'check', EXAMPLE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/plan\.yaml: valid \(9 tasks\)/);
  });

  it('names a dependency cycle and exits 2', () => {
    const f = writePlan([
      { id: 'a', dependsOn: ['c'] },
      { id: 'b', dependsOn: ['a'] },
      { id: 'c', dependsOn: ['b'] },
    ]);
    const r = run(['plan', 'check', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      new RegExp(`^${f}:\\d+: error \\[dependency-cycle\\] dependency cycle: a → c → b → a`, 'm'),
    );
  });

  it('reports an unknown agent, against the agents visible here or in --agents-dir', () => {
    const f = writePlan([{ id: 'a', agent: 'redis-specialist' }]);
    const r = run(['plan', 'check', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /error \[unknown-agent\] task "a" uses agent "redis-specialist", which is not defined/,
    );
    const agents = join(dir, 'agents');
    mkdirSync(agents, { recursive: true });
    writeFileSync(
      join(agents, 'redis.md'),
      '---\nname: redis-specialist\ndescription: Redis pub/sub\n---\nYou own Redis.\n',
    );
    expect(run(['plan', 'check', f, '--agents-dir', 'agents']).code).toBe(0);
    const missing = run(['plan', 'check', f, '--agents-dir', 'nowhere']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--agents-dir nowhere is not a directory/);
  });

  it('reports an unknown dependsOn id', () => {
    const r = run(['plan', 'check', writePlan([{ id: 'server' }, { id: 'tests', dependsOn: ['sever'] }])]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /:\d+: error \[unknown-dependency\] task "tests" depends on "sever", which is no task; did you mean "server"\?/,
    );
  });

  it('reports a duplicate task id', () => {
    const r = run(['plan', 'check', writePlan([{ id: 'a' }, { id: 'a' }])]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/error \[duplicate-task-id\] task id "a" is already used by tasks\[0\]/);
  });

  it('reports a contract consumed but provided by no task', () => {
    const f = writePlan(
      [{ id: 'types' }, { id: 'server', dependsOn: ['types'], consumes: ['op'] }],
      [contract('op', 'types')],
    );
    const r = run(['plan', 'check', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /error \[contract-not-provided\] task "server" consumes contract "op", but no task provides it/,
    );
  });

  it('reports a contract provided by two tasks', () => {
    const f = writePlan(
      [
        { id: 'a', provides: ['op'] },
        { id: 'b', provides: ['op'] },
      ],
      [contract('op', 'a')],
    );
    const r = run(['plan', 'check', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /error \[contract-multiple-providers\] contract "op" is provided by both "a" and "b"/,
    );
  });

  it('reports a contract whose owner does not provide it', () => {
    const f = writePlan(
      [
        { id: 'a', provides: ['op'] },
        { id: 'b', dependsOn: ['a'] },
      ],
      [contract('op', 'b')],
    );
    const r = run(['plan', 'check', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /error \[contract-owner-mismatch\] contract "op" names "b" as owner, but that task does not list it in provides/,
    );
  });

  it('reports overlapping owns of concurrent tasks with a path both match, not of dependent ones', () => {
    const f = writePlan([
      { id: 'api', owns: ['src/api/**'] },
      { id: 'styles', owns: ['src/**/*.css'] },
    ]);
    const r = run(['plan', 'check', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /error \[ownership-overlap\] tasks "api" and "styles" may run at the same time and both own "src\/api\/\*\*" and "src\/\*\*\/\*\.css", which both match "src\/api\/[^"]*\.css"/,
    );
    const chained = writePlan([
      { id: 'api', owns: ['src/api/**'] },
      { id: 'mid', dependsOn: ['api'] },
      { id: 'styles', owns: ['src/**/*.css'], dependsOn: ['mid'] },
    ]);
    expect(run(['plan', 'check', chained]).code).toBe(0);
  });

  it('warns (exit 0) when a task reads what a concurrent task writes, or has no success criteria', () => {
    const f = writePlan([
      { id: 'db', owns: ['src/db/**'] },
      { id: 'api', owns: ['src/api/**'], reads: ['src/db/schema.ts'], successCriteria: [] },
    ]);
    const r = run(['plan', 'check', f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /warning \[read-write-race\] task "api" reads "src\/db\/schema\.ts" while task "db"/,
    );
    expect(r.stdout).toMatch(/warning \[no-success-criteria\] task "api" has no success criteria/);
    expect(r.stdout).toMatch(/: valid \(2 tasks, 2 warnings\)/);
  });

  it('reports malformed YAML and JSON with their line', () => {
    writeFileSync(join(dir, 'broken.yaml'), 'version: 1\ngoal: x\ntasks:\n  - id: a\n    title: "unclosed\n');
    const y = run(['plan', 'check', 'broken.yaml']);
    expect(y.code).toBe(2);
    expect(y.stdout).toMatch(/^broken\.yaml:\d+: error \[syntax\] invalid YAML: /m);
    writeFileSync(join(dir, 'broken.json'), '{\n  "version": 1,\n  "goal": "x",\n  "tasks": [,]\n}\n');
    const j = run(['plan', 'check', 'broken.json']);
    expect(j.code).toBe(2);
    expect(j.stdout).toMatch(/^broken\.json:4: error \[syntax\] invalid JSON: /m);
  });

  it('reports every defect of a plan with several at once', () => {
    const f = writePlan(
      [
        { id: 'a', dependsOn: ['b'], owns: ['src/**'], provides: ['op'] },
        { id: 'b', dependsOn: ['a', 'ghost'], agent: 'nobody' },
        { id: 'c', owns: ['src/c/**'], provides: ['op'], consumes: ['missing'], successCriteria: [] },
        { id: 'c' },
      ],
      [contract('op', 'b'), contract('missing', 'a')],
    );
    const r = run(['plan', 'check', f, '--json']);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as { valid: boolean; problems: { code: string; line?: number }[] };
    expect(report.valid).toBe(false);
    expect(new Set(report.problems.map((p) => p.code))).toEqual(
      new Set([
        'dependency-cycle',
        'unknown-dependency',
        'unknown-agent',
        'ownership-overlap',
        'contract-multiple-providers',
        'contract-owner-mismatch',
        'contract-not-provided',
        'duplicate-task-id',
        'no-success-criteria',
      ]),
    );
    expect(report.problems.every((p) => typeof p.line === 'number')).toBe(true);
  });

  it('refuses a missing file with a clear message and exit 2', () => {
    const r = run(['plan', 'check', 'no-such-plan.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read plan .*no-such-plan\.yaml: no such file/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});

describe('orchestra plan show', () => {
  it('shows the goal, tasks, contracts, waves with token totals and a mermaid graph', () => {
    const r = runOrchestra(['plan', 'show', EXAMPLE, '--max-parallel', '4', '--context-budget', '60000']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Goal: Real-time collaborative editing/);
    expect(r.stdout).toMatch(/^ {2}message-types +types-specialist +6,000 +src\/shared\/protocol\/\*\* +-$/m);
    expect(r.stdout).toMatch(/^ {2}operation +typescript +message-types +db-schema, /m);
    expect(r.stdout).toMatch(/^Waves \(5; at most 4 tasks and 60,000 tokens each\)$/m);
    expect(r.stdout).toMatch(/^ {2}1 +6,000 +message-types$/m);
    expect(r.stdout).toMatch(/^graph TD$/m);
    expect(r.stdout).toMatch(/^ {2}t0 --> t1$/m);
  });

  it('prints the plan and its waves as JSON, honouring the limits', () => {
    const r = runOrchestra(['plan', 'show', EXAMPLE, '--format', 'json', '--max-parallel', '1']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      plan: { tasks: unknown[] };
      waves: { taskIds: string[]; tokens: number }[];
    };
    expect(out.waves).toHaveLength(9);
    expect(out.waves.every((w) => w.taskIds.length === 1)).toBe(true);
    expect(out.plan.tasks).toHaveLength(9);
  });

  it('prints only the mermaid graph with --format mermaid', () => {
    const r = runOrchestra(['plan', 'show', EXAMPLE, '--format', 'mermaid']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('graph TD');
    expect(r.stdout).toContain('t7 --> t8');
  });

  it('warns about a task larger than the budget, which runs alone', () => {
    const f = writePlan([{ id: 'big' }, { id: 'small' }]);
    const r = run(['plan', 'show', f, '--context-budget', '3000']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /warning: task "big" estimates 4000 context tokens, more than the budget of 3000: it runs alone/,
    );
  });

  it('refuses an invalid plan, a bad format and a bad limit with exit 2', () => {
    const bad = run(['plan', 'show', writePlan([{ id: 'a', dependsOn: ['a'] }])]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not a valid plan \(1 error\):\n.*\[self-dependency\]/);
    const format = runOrchestra(['plan', 'show', EXAMPLE, '--format', 'svg']);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/unknown format "svg"; choose text, json or mermaid/);
    expect(runOrchestra(['plan', 'show', EXAMPLE, '--max-parallel', '0']).stderr).toMatch(
      /--max-parallel must be a positive whole number/,
    );
  });
});
