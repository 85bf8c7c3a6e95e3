import { afterEach, describe, expect, it } from 'vitest';
import { openHub } from '../../src/hub/index.js';
import { validateRun } from '../../src/validator/validate-run.js';
import { commitOnBranch, initRepo, plan, sh, tempDir } from './fixture.js';

const dirs: Array<() => void> = [];
afterEach(() => {
  for (const c of dirs.splice(0)) c();
});

describe('validateRun', () => {
  it('validates completed tasks, writes fix tasks once, and rebuilds the integration branch each time', async () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    initRepo(dir, { 'README.md': 'x\n' });
    const base = sh(dir, 'rev-parse', 'HEAD').trim();
    commitOnBranch(dir, 'task/a', 'main', { 'src/a.ts': 'export const a: number = "one";\n' });
    commitOnBranch(dir, 'task/b', 'main', { 'src/b.ts': 'export const b = 2;\n' });
    sh(dir, 'commit', '-q', '--allow-empty', '-m', 'main moves on');
    const hub = openHub({ path: ':memory:' });
    try {
      const p = plan({
        tasks: [
          { id: 'a', title: 'a', agent: 'x', owns: ['src/a.ts'] },
          { id: 'b', title: 'b', agent: 'y', owns: ['src/b.ts'] },
          { id: 'c', title: 'c', agent: 'z', owns: ['src/c.ts'] },
        ],
      });
      hub.runs.create({ id: 'r', goal: 'g', repo: dir, baseCommit: base, plan: p, status: 'running' });
      hub.tasks.upsert({ runId: 'r', id: 'a', agent: 'x', status: 'succeeded', branch: 'task/a' });
      hub.tasks.upsert({ runId: 'r', id: 'b', agent: 'y', status: 'merged', branch: 'task/b' });
      hub.tasks.upsert({ runId: 'r', id: 'c', agent: 'z', status: 'running', branch: 'task/c' });
      for (let i = 0; i < 2; i++) {
        const report = await validateRun({ cwd: dir, runId: 'r', hub });
        expect(report.merges.map((m) => m.taskId)).toEqual(['a', 'b']);
        expect(report.base).toBe(base);
        expect(report.findings.map((f) => [f.kind, f.taskId])).toEqual([['type-error', 'a']]);
      }
      expect(hub.fixes.list('r').map((f) => [f.ownerTask, f.source, f.status])).toEqual([
        ['a', 'type-error', 'open'],
      ]);
      expect(sh(dir, 'rev-list', '--count', '--merges', 'orchestra/r/integration').trim()).toBe('2');
      expect(sh(dir, 'merge-base', 'orchestra/r/integration', 'main').trim()).toBe(base);
      expect(hub.events.list({ runId: 'r', type: 'validation.finding' })).toHaveLength(2);
    } finally {
      hub.close();
    }
  });

  it('refuses a run without completed tasks', async () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    initRepo(dir, { 'README.md': 'x\n' });
    const hub = openHub({ path: ':memory:' });
    try {
      hub.runs.create({
        id: 'r',
        goal: 'g',
        repo: dir,
        plan: plan({ tasks: [{ id: 'a', title: 'a', agent: 'x' }] }),
      });
      await expect(validateRun({ cwd: dir, runId: 'r', hub })).rejects.toThrow(/no completed task/);
      await expect(validateRun({ cwd: dir, runId: 'nope', hub })).rejects.toThrow(/no run "nope"/);
    } finally {
      hub.close();
    }
  });
});
