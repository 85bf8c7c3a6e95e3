import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { integrationWorktreePath } from '../../src/validator/merge-train.js';
import { formatReport } from '../../src/validator/report.js';
import type { Conflict, FixTask } from '../../src/validator/types.js';
import { validateBranches } from '../../src/validator/validate.js';
import { commitOnBranch, initRepo, plan, sh, tempDir } from './fixture.js';

const dirs: Array<() => void> = [];
afterEach(() => {
  for (const c of dirs.splice(0)) c();
});

function repo(files: Record<string, string> = {}): string {
  const { dir, cleanup } = tempDir();
  dirs.push(cleanup);
  initRepo(dir, { 'package.json': '{"name":"app","dependencies":{}}\n', 'README.md': 'app\n', ...files });
  return dir;
}

const ARTICLE_PLAN = plan({
  architecture: { excludedDependencies: ['moment'] },
  contracts: [
    {
      id: 'operation',
      kind: 'typescript',
      owner: 'backend',
      definition: 'export interface Operation { userId: string; operation: Transform }',
    },
  ],
  tasks: [
    {
      id: 'frontend',
      title: 'React editor',
      agent: 'frontend-specialist',
      owns: ['src/client/**'],
      consumes: ['operation'],
      dependsOn: ['backend'],
      successCriteria: [{ description: 'editor exists', command: 'test -f src/client/editor.ts' }],
    },
    {
      id: 'backend',
      title: 'WebSocket server',
      agent: 'backend-specialist',
      owns: ['src/server/**', 'package.json'],
      provides: ['operation'],
      // Passes on the base, fails once the server's work is merged: a new failure, the backend's.
      successCriteria: [
        {
          description: 'server tests pass',
          command: 'test ! -f src/server/ops.ts || (echo "1 failing" && exit 1)',
        },
      ],
    },
  ],
});

describe('validateBranches', () => {
  it("finds the article's issues, maps each to its task and writes fix tasks to the sink", async () => {
    const dir = repo();
    commitOnBranch(dir, 'task/backend', 'main', {
      'package.json': '{"name":"app","dependencies":{"moment":"^2.30.0"}}\n',
      'src/server/ops.ts':
        'export type Delta = { d: number };\nexport interface Operation { user_id: number; operation: Delta }\nexport function count(xs: string[]): number { return xs.length; }\n',
      'src/server/doc.ts': [
        'const document = { operations: [] as string[] };',
        'declare function transform(op: string, base: string[]): Promise<string>;',
        'export async function applyOperation(op: string) {',
        '  const base = document.operations.slice();',
        '  const t = await transform(op, base);',
        '  document.operations.push(t);',
        '}',
      ].join('\n'),
    });
    commitOnBranch(dir, 'task/frontend', 'main', {
      'src/client/editor.ts':
        "import { count } from '../server/ops';\ntype Transform = { t: string };\nexport interface Operation { userId: string; op: Transform }\nexport const n: string = count([]);\n",
    });
    const conflicts: Conflict[] = [];
    const fixes: FixTask[] = [];
    const report = await validateBranches({
      cwd: dir,
      plan: ARTICLE_PLAN,
      runId: 'r1',
      branches: [
        { taskId: 'frontend', ref: 'task/frontend' },
        { taskId: 'backend', ref: 'task/backend' },
      ],
      sink: { addConflict: (_r, c) => void conflicts.push(c), addFixTask: (_r, f) => void fixes.push(f) },
    });
    expect(report.merges.map((m) => [m.taskId, m.ok])).toEqual([
      ['backend', true],
      ['frontend', true],
    ]);
    const byKind = (kind: string) => report.findings.filter((f) => f.kind === kind).map((f) => f.taskId);
    expect(byKind('contract').sort()).toEqual(['backend', 'frontend']);
    expect(byKind('type-error')).toEqual(['frontend']);
    expect(byKind('criterion')).toEqual(['backend']);
    expect(byKind('race')).toEqual(['backend']);
    expect(byKind('dependency')).toEqual(['backend']);
    expect(report.ok).toBe(false);
    expect(fixes).toEqual(report.fixTasks);
    expect(fixes).toHaveLength(report.findings.length);
    const contractFix = fixes.find((f) => f.kind === 'contract' && f.taskId === 'backend');
    expect(contractFix).toMatchObject({
      agent: 'backend-specialist',
      contractId: 'operation',
      expected: '{userId: string, operation: Transform}',
      actual: '{user_id: number, operation: Delta}',
    });
    const text = formatReport(report);
    if (process.env.SHOW_REPORT) console.log(text);
    expect(text).toContain('ISSUES DETECTED:');
    expect(text).toContain('FIX: standardize to `{userId: string, operation: Transform}`');
    expect(text).toContain('Race condition in applyOperation()');
    expect(sh(dir, 'rev-parse', '--verify', 'orchestra/r1/integration')).toMatch(/^[0-9a-f]{40}/);
  });

  it('records a conflict with both tasks, a fix task for the later one, and keeps only clean merges', async () => {
    const dir = repo({ 'src/shared/config.ts': 'export const port = 1;\n' });
    commitOnBranch(dir, 'a', 'main', {
      'src/shared/config.ts': 'export const port = 2;\n',
      'src/a/a.ts': 'export const a = 1;\n',
    });
    commitOnBranch(dir, 'b', 'main', {
      'src/shared/config.ts': 'export const port = 3;\n',
      'src/b/b.ts': 'export const b = 1;\n',
    });
    const p = plan({
      tasks: [
        { id: 'a', title: 'a', agent: 'x', owns: ['src/a/**'] },
        { id: 'b', title: 'b', agent: 'y', owns: ['src/b/**'], dependsOn: ['a'] },
      ],
    });
    const report = await validateBranches({
      cwd: dir,
      plan: p,
      runId: 'r2',
      branches: [
        { taskId: 'b', ref: 'b' },
        { taskId: 'a', ref: 'a' },
      ],
    });
    expect(report.conflicts).toEqual([
      { files: ['src/shared/config.ts'], taskId: 'b', withTasks: ['a'], ref: 'b' },
    ]);
    expect(report.fixTasks).toEqual([
      expect.objectContaining({ taskId: 'b', agent: 'y', kind: 'conflict', files: ['src/shared/config.ts'] }),
    ]);
    const branch = 'orchestra/r2/integration';
    expect(sh(dir, 'log', '--merges', '--format=%s', branch).trim()).toBe('orchestra: merge a (a)');
    const tree = integrationWorktreePath(dir, 'r2');
    // The aborted merge left nothing behind: no MERGE_HEAD, no conflict markers, no staged files.
    expect(sh(tree, 'status', '--porcelain').trim()).toBe('');
    expect(existsSync(join(dir, '.git/worktrees/integration/MERGE_HEAD'))).toBe(false);
    expect(existsSync(join(tree, 'src/a/a.ts'))).toBe(true);
    expect(existsSync(join(tree, 'src/b/b.ts'))).toBe(false);
    expect(sh(dir, 'status', '--porcelain').trim()).toBe('');
  });

  it('with noMerge checks in a temporary checkout and writes no branch', async () => {
    const dir = repo();
    commitOnBranch(dir, 'a', 'main', { 'src/a/a.ts': 'export const a: number = 1;\n' });
    const report = await validateBranches({
      cwd: dir,
      plan: plan({ tasks: [{ id: 'a', title: 'a', agent: 'x', owns: ['src/a/**'] }] }),
      runId: 'r3',
      noMerge: true,
      branches: [{ taskId: 'a', ref: 'a' }],
    });
    expect(report).toMatchObject({ ok: true, findings: [], fixTasks: [], integrationBranch: null });
    expect(sh(dir, 'branch', '--list', 'orchestra/*').trim()).toBe('');
    expect(sh(dir, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
    expect(formatReport(report)).toContain('No issues detected.');
  });

  it('rejects an unknown task or ref as bad input', async () => {
    const dir = repo();
    const p = plan({ tasks: [{ id: 'a', title: 'a', agent: 'x' }] });
    await expect(
      validateBranches({ cwd: dir, plan: p, branches: [{ taskId: 'zz', ref: 'main' }] }),
    ).rejects.toThrow(/task "zz" is not in the plan/);
    await expect(
      validateBranches({ cwd: dir, plan: p, branches: [{ taskId: 'a', ref: 'nope' }] }),
    ).rejects.toThrow(/"nope" is not a commit/);
    const twice = [
      { taskId: 'a', ref: 'main' },
      { taskId: 'a', ref: 'main' },
    ];
    await expect(validateBranches({ cwd: dir, plan: p, branches: twice })).rejects.toThrow(/given twice/);
  });
});
