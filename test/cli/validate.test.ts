import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planSchema } from '../../src/domain/plan.js';
import { hubPath, openHub } from '../../src/hub/index.js';
import { runOrchestra } from '../support/cli.js';
import { commitOnBranch, initRepo, tempDir } from '../validator/fixture.js';

const dirs: Array<() => void> = [];
afterEach(() => {
  for (const c of dirs.splice(0)) c();
});

const PLAN = `version: 1
goal: collaborative editor
architecture:
  excludedDependencies: [moment]
contracts:
  - id: operation
    kind: typescript
    owner: backend
    definition: "export interface Operation { userId: string; operation: Transform }"
tasks:
  - id: backend
    title: WebSocket server
    agent: backend-specialist
    owns: ["src/server/**"]
    provides: [operation]
    successCriteria:
      - description: server file exists
        command: test -f src/server/ops.ts
  - id: frontend
    title: React editor
    agent: frontend-specialist
    owns: ["src/client/**"]
    consumes: [operation]
    dependsOn: [backend]
`;

const GOOD_SERVER =
  'export type Transform = { t: string };\nexport interface Operation { userId: string; operation: Transform }\n';
const BAD_SERVER =
  'export type Delta = { d: number };\nexport interface Operation { user_id: number; operation: Delta }\n';
const CLIENT =
  "import type { Operation } from '../server/ops';\nexport const show = (o: Operation) => o.userId;\n";

function fixture(server: string): { repo: string; planFile: string } {
  const { dir, cleanup } = tempDir('orchestra-validate-cli-');
  dirs.push(cleanup);
  const repo = join(dir, 'repo');
  const planFile = join(dir, 'plan.yaml');
  writeFileSync(planFile, PLAN);
  mkdirSync(repo, { recursive: true });
  initRepo(repo, { 'README.md': 'app\n' });
  commitOnBranch(repo, 'task/backend', 'main', { 'src/server/ops.ts': server });
  commitOnBranch(repo, 'task/frontend', 'main', { 'src/client/view.ts': CLIENT });
  return { repo, planFile };
}

const TASKS = ['--task', 'backend=task/backend', '--task', 'frontend=task/frontend'];

describe('orchestra validate', () => {
  it('exits 0 and says so when the branches fit the plan', () => {
    const { repo, planFile } = fixture(GOOD_SERVER);
    const r = runOrchestra(['validate', '--plan', planFile, ...TASKS, '--no-merge'], { cwd: repo });
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('No issues detected.');
    expect(r.stdout).toMatch(/✓ backend \(task\/backend\)/);
  });

  it('exits 1 with the ISSUES DETECTED list when a contract is broken', () => {
    const { repo, planFile } = fixture(BAD_SERVER);
    const r = runOrchestra(['validate', '--plan', planFile, ...TASKS], { cwd: repo });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('ISSUES DETECTED:');
    expect(r.stdout).toContain('1. Interface mismatch in Operation type');
    expect(r.stdout).toContain('FIX: standardize to `{userId: string, operation: Transform}`');
    expect(r.stderr).toContain('merging backend (task/backend)');
  });

  it('prints the report as JSON with --json', () => {
    const { repo, planFile } = fixture(BAD_SERVER);
    const r = runOrchestra(['validate', '--plan', planFile, ...TASKS, '--json', '--no-merge'], { cwd: repo });
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      integrationBranch: null;
      fixTasks: Array<{ taskId: string }>;
    };
    expect(report.ok).toBe(false);
    expect(report.integrationBranch).toBeNull();
    expect(report.fixTasks.map((f) => f.taskId)).toContain('backend');
  });

  it('exits 2 on bad input, saying what to do', () => {
    const { repo, planFile } = fixture(GOOD_SERVER);
    const cases: Array<[string[], RegExp]> = [
      [['validate', '--plan', planFile], /pass --task <task-id>=<git-ref>/],
      [['validate', '--plan', planFile, '--task', 'backend'], /expected <task-id>=<git-ref>/],
      [['validate', '--plan', planFile, '--task', 'backend=nope'], /"nope" is not a commit/],
      [['validate', '--plan', planFile, '--task', 'ghost=main'], /task "ghost" is not in the plan/],
      [['validate', '--plan', join(repo, 'missing.yaml'), '--task', 'backend=main'], /cannot read plan/],
      [['validate'], /--plan <file>.*or --run <id>/],
    ];
    for (const [args, message] of cases) {
      const r = runOrchestra(args, { cwd: repo });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    }
  });

  it('--run validates the completed tasks of a run and writes fix tasks to the hub', () => {
    const { repo } = fixture(BAD_SERVER);
    const hub = openHub({ path: hubPath(repo) });
    try {
      hub.runs.create({
        id: 'run-1',
        goal: 'editor',
        repo,
        plan: planSchema.parse(parse(PLAN)),
        status: 'running',
      });
      hub.tasks.upsert({
        runId: 'run-1',
        id: 'backend',
        agent: 'backend-specialist',
        status: 'succeeded',
        branch: 'task/backend',
      });
      hub.tasks.upsert({
        runId: 'run-1',
        id: 'frontend',
        agent: 'frontend-specialist',
        status: 'succeeded',
        branch: 'task/frontend',
      });
    } finally {
      hub.close();
    }
    const r = runOrchestra(['validate', '--run', 'run-1'], { cwd: repo });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('Merge train into orchestra/run-1/integration');
    const after = openHub({ path: hubPath(repo) });
    try {
      const fixes = after.fixes.list('run-1');
      expect(fixes.map((f) => [f.ownerTask, f.source, f.contractId])).toContainEqual([
        'backend',
        'contract',
        'operation',
      ]);
      expect(after.events.list({ runId: 'run-1', type: 'merge' })).toHaveLength(2);
    } finally {
      after.close();
    }
    expect(runOrchestra(['validate', '--run', 'no-such-run'], { cwd: repo }).code).toBe(2);
  });
});
