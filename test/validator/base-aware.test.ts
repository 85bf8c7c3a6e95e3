import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import bundled from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CommandRunner,
  createProjectTypeChecker,
  loadProjectTypeScript,
  shellRunner,
} from '../../src/validator/index.js';
import { validateBranches } from '../../src/validator/validate.js';
import { commitOnBranch, initRepo, plan, tempDir } from './fixture.js';

// Validation that knows the base (issue 10, item 4), on real repositories and the real compiler.

const dirs: Array<() => void> = [];
afterEach(() => {
  for (const c of dirs.splice(0)) c();
});

function repo(files: Record<string, string>): string {
  const { dir, cleanup } = tempDir();
  dirs.push(cleanup);
  initRepo(dir, files);
  return dir;
}

const TSCONFIG = JSON.stringify({
  compilerOptions: { strict: true, noEmit: true, target: 'ES2022' },
  include: ['src'],
});

/** A runner that records every command it really runs. */
function counting(): { runner: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    runner: (command, options) => {
      calls.push(command);
      return shellRunner(command, options);
    },
  };
}

describe('validation that knows the base', () => {
  it('does not blame a task for a base type error its insertion moved down; reports it as already failing', async () => {
    const dir = repo({
      'tsconfig.json': TSCONFIG,
      'src/app.ts': 'export const port: number = 8080;\nexport const name: string = 42;\n',
    });
    commitOnBranch(dir, 'task/app', 'main', {
      'src/app.ts':
        '// a header the task added\nexport const host = "localhost";\nexport const debug = false;\nexport const port: number = 8080;\nexport const name: string = 42;\n',
    });
    const report = await validateBranches({
      cwd: dir,
      noMerge: true,
      plan: plan({ tasks: [{ id: 'app', title: 'app', agent: 'x', owns: ['src/**'] }] }),
      branches: [{ taskId: 'app', ref: 'task/app' }],
    });
    expect(report.findings.filter((f) => f.kind === 'type-error')).toEqual([]);
    expect(report.fixTasks).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.preexisting).toEqual([
      expect.objectContaining({
        kind: 'type-error',
        location: expect.objectContaining({ file: 'src/app.ts', line: 5 }),
      }),
    ]);
    expect(report.preexisting[0]?.taskId).toBeUndefined();
  });

  it('reports a criterion already failing on the base as pre-existing, sends no fix, and runs a shared command once', async () => {
    const dir = repo({
      'tsconfig.json': TSCONFIG,
      'src/index.ts': 'export const x = 1;\n',
      'docs/legacy.md': 'unformatted\n',
      // The repository's format check already fails on a file no task owns.
      'check-format.sh':
        'for f in docs/*.md; do grep -q "^# " "$f" || { echo "[warn] $f"; bad=1; }; done\n[ -z "$bad" ]\n',
    });
    const shared = [{ description: 'format check passes', command: 'sh check-format.sh' }];
    const p = plan({
      tasks: ['a', 'b', 'c'].map((id) => ({
        id,
        title: id,
        agent: 'x',
        owns: [`src/${id}/**`],
        successCriteria: shared,
      })),
    });
    for (const id of ['a', 'b', 'c'])
      commitOnBranch(dir, `task/${id}`, 'main', { [`src/${id}/${id}.ts`]: `export const ${id} = 1;\n` });
    const { runner, calls } = counting();
    const report = await validateBranches({
      cwd: dir,
      noMerge: true,
      plan: p,
      runner,
      branches: ['a', 'b', 'c'].map((id) => ({ taskId: id, ref: `task/${id}` })),
    });
    expect(report.fixTasks).toEqual([]);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.preexisting.map((f) => f.kind)).toEqual(['criterion']);
    expect(report.preexisting[0]?.title).toMatch(/`sh check-format.sh` exited with 1 on the base/);
    // Once on the base and once on the integration tree: three tasks naming it cost one run each.
    expect(calls).toEqual(['sh check-format.sh', 'sh check-format.sh']);
    expect(report.criteria).toEqual([
      expect.objectContaining({ command: 'sh check-format.sh', tasks: ['a', 'b', 'c'], exitCode: 1 }),
    ]);
  });

  it('routes a new failure in a file no task owns to the user, and one in a task file to that task, once', async () => {
    const dir = repo({
      'tsconfig.json': TSCONFIG,
      'docs/guide.md': '# Guide\n',
      'check-format.sh':
        'for f in docs/*.md src/*/*.md; do [ -f "$f" ] || continue; grep -q "^# " "$f" || { echo "[warn] $f"; bad=1; }; done\n[ -z "$bad" ]\n',
    });
    const shared = [{ description: 'format check passes', command: 'sh check-format.sh' }];
    const p = plan({
      tasks: ['a', 'b'].map((id) => ({
        id,
        title: id,
        agent: 'x',
        owns: [`src/${id}/**`],
        successCriteria: shared,
      })),
    });
    // a writes an unformatted file of its own; b (made elsewhere) broke docs/guide.md, owned by nobody.
    commitOnBranch(dir, 'task/a', 'main', { 'src/a/notes.md': 'no heading\n' });
    commitOnBranch(dir, 'task/b', 'main', { 'docs/guide.md': 'Guide without heading\n' });
    const toUser = await validateBranches({
      cwd: dir,
      noMerge: true,
      plan: p,
      branches: [{ taskId: 'b', ref: 'task/b' }],
    });
    expect(toUser.findings.map((f) => [f.kind, f.taskId])).toEqual([['criterion', undefined]]);
    expect(toUser.findings[0]?.fix).toMatch(/no task owns docs\/guide.md/);
    expect(toUser.fixTasks).toEqual([]);
    expect(toUser.ok).toBe(false);
    const toTask = await validateBranches({
      cwd: dir,
      noMerge: true,
      plan: p,
      branches: [{ taskId: 'a', ref: 'task/a' }],
    });
    expect(toTask.fixTasks).toEqual([expect.objectContaining({ taskId: 'a', kind: 'criterion' })]);
  });

  it("catches a second merge that breaks the first task's criterion in the final pass", async () => {
    const dir = repo({ 'tsconfig.json': TSCONFIG, 'src/index.ts': 'export {};\n' });
    const p = plan({
      tasks: [
        {
          id: 'a',
          title: 'a',
          agent: 'x',
          owns: ['src/a/**'],
          successCriteria: [
            { description: 'a still works', command: 'test ! -f src/b/breaks-a.flag && test -f src/a/a.ts' },
          ],
        },
        {
          id: 'b',
          title: 'b',
          agent: 'y',
          owns: ['src/b/**'],
          dependsOn: ['a'],
          successCriteria: [{ description: 'b', command: 'test -f src/b/b.ts' }],
        },
      ],
    });
    commitOnBranch(dir, 'task/a', 'main', { 'src/a/a.ts': 'export const a = 1;\n' });
    commitOnBranch(dir, 'task/b', 'task/a', {
      'src/b/b.ts': 'export const b = 1;\n',
      'src/b/breaks-a.flag': '',
    });
    const branches = [
      { taskId: 'a', ref: 'task/a' },
      { taskId: 'b', ref: 'task/b' },
    ];
    // A wave that runs only the criteria of what it merged does not see it ...
    const wave = await validateBranches({ cwd: dir, noMerge: true, plan: p, branches, criteriaOf: ['b'] });
    expect(wave.ok).toBe(true);
    // ... the final pass over every merged task's criteria does.
    const final = await validateBranches({ cwd: dir, noMerge: true, plan: p, branches });
    expect(final.ok).toBe(false);
    expect(final.findings).toEqual([
      expect.objectContaining({ kind: 'criterion', title: 'Success criterion failed: a still works' }),
    ]);
  });

  it('reports a pair that conflicts before any type check or criterion runs', async () => {
    const dir = repo({ 'tsconfig.json': TSCONFIG, 'src/shared.ts': 'export const v = 0;\n' });
    commitOnBranch(dir, 'task/a', 'main', { 'src/shared.ts': 'export const v = 1;\n' });
    commitOnBranch(dir, 'task/b', 'main', { 'src/shared.ts': 'export const v = 2;\n' });
    const p = plan({
      tasks: [
        {
          id: 'a',
          title: 'a',
          agent: 'x',
          owns: ['src/a/**'],
          successCriteria: [{ description: 'ok', command: 'true' }],
        },
        { id: 'b', title: 'b', agent: 'y', owns: ['src/b/**'] },
      ],
    });
    const lines: string[] = [];
    const report = await validateBranches({
      cwd: dir,
      noMerge: true,
      plan: p,
      onProgress: (l) => lines.push(l),
      branches: [
        { taskId: 'a', ref: 'task/a' },
        { taskId: 'b', ref: 'task/b' },
      ],
    });
    expect(report.conflicts).toEqual([expect.objectContaining({ taskId: 'b', files: ['src/shared.ts'] })]);
    const conflictAt = lines.findIndex((l) => l.startsWith('conflict: b'));
    const firstCheck = lines.findIndex((l) => /checking the base|type-checking|criterion/.test(l));
    expect(conflictAt).toBeGreaterThanOrEqual(0);
    expect(conflictAt).toBeLessThan(firstCheck);
  });
});

describe("the project's own TypeScript", () => {
  it('checks a repository pinned to TypeScript 5.4 with 5.4, not the bundled compiler', {
    timeout: 240_000,
  }, async () => {
    const dir = repo({
      'package.json': JSON.stringify({
        name: 'pinned',
        private: true,
        devDependencies: { typescript: '5.4.5' },
      }),
      'tsconfig.json': TSCONFIG,
      // TypeScript 5.6+ reports TS2872 here; the project's 5.4 does not.
      'src/flag.ts': 'export function f(): number {\n  if ({}) return 1;\n  return 0;\n}\n',
    });
    // The real compiler from the npm registry, as the project would install it.
    execFileSync(
      'npm',
      ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', 'typescript@5.4.5'],
      {
        cwd: dir,
        stdio: 'pipe',
        timeout: 200_000,
      },
    );
    const own = loadProjectTypeScript(dir);
    expect(own).toMatchObject({ version: '5.4.5', source: 'project' });
    expect(createProjectTypeChecker({ root: dir }).check()).toEqual([]);
    // The bundled compiler disagrees: the version is what makes the difference.
    const withBundled = createProjectTypeChecker({
      root: dir,
      typescript: { ts: bundled, version: bundled.version, source: 'bundled' },
    }).check();
    expect(withBundled.map((d) => d.code)).toEqual([2872]);

    commitOnBranch(dir, 'task/a', 'main', { 'src/a/a.ts': 'export const a: number = 1;\n' });
    const report = await validateBranches({
      cwd: dir,
      plan: plan({ tasks: [{ id: 'a', title: 'a', agent: 'x', owns: ['src/a/**'] }] }),
      runId: 'pinned',
      branches: [{ taskId: 'a', ref: 'task/a' }],
    });
    expect(report.typescript).toMatchObject({ version: '5.4.5', source: 'project' });
    expect(report.preexisting).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('falls back to the bundled compiler with a note when the project has none', () => {
    const dir = repo({ 'src/x.ts': 'export const x = 1;\n' });
    const ts = loadProjectTypeScript(join(dir, 'src'));
    expect(ts.source).toBe('bundled');
    expect(ts.note).toMatch(/no typescript in node_modules/);
  });
});
