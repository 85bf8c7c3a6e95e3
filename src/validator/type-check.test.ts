import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { plan, tempDir, writeFiles } from '../../test/validator/fixture.js';
import { createProjectTypeChecker, readableMessage, typeErrorFindings } from './type-check.js';
import { benchTypeCheck } from './type-check-bench.js';

const dirs: Array<() => void> = [];
afterEach(() => {
  for (const c of dirs.splice(0)) c();
});

describe('project type check', () => {
  it("maps a type error in a consumer's file to its owner", () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    writeFiles(dir, {
      'src/server/api.ts': 'export function count(xs: string[]): number { return xs.length; }\n',
      'src/client/view.ts':
        "import { count } from '../server/api.js';\nexport const n: string = count(['a']);\n",
    });
    const tasks = plan({
      tasks: [
        { id: 'api', title: 'api', agent: 'backend', owns: ['src/server/**'] },
        { id: 'view', title: 'view', agent: 'frontend', owns: ['src/client/**'] },
      ],
    }).tasks;
    const checker = createProjectTypeChecker({ root: dir });
    const diagnostics = checker.check();
    expect(diagnostics).toHaveLength(1);
    const [f] = typeErrorFindings(diagnostics, tasks, 'api');
    expect(f?.taskId).toBe('view');
    expect(f?.agent).toBe('frontend');
    expect(f?.location).toEqual({ file: 'src/client/view.ts', line: 2, column: 14 });
    expect(f?.relatedTasks).toEqual(['api']);
    expect(f?.details[0]).toMatch(/not assignable to type 'string'/);
  });

  it('sees changes on disk at the next check', () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    writeFiles(dir, {
      'a.ts': 'export const a: number = 1;\n',
      'b.ts': "import { a } from './a.js';\nexport const b = a + 1;\n",
    });
    const checker = createProjectTypeChecker({ root: dir });
    expect(checker.check()).toEqual([]);
    writeFileSync(join(dir, 'a.ts'), "export const a: string = 'x';\nexport const c: number = 'no';\n");
    const second = checker.check();
    expect(second.map((d) => `${d.file}:${d.line}`)).toEqual(['a.ts:2']);
    writeFileSync(join(dir, 'b.ts'), "import { a } from './a.js';\nexport const b: number = a;\n");
    expect(
      checker
        .check()
        .map((d) => `${d.file}:${d.line}`)
        .sort(),
    ).toEqual(['a.ts:2', 'b.ts:2']);
  });
});

describe('project configuration', () => {
  it("uses the tree's tsconfig.json (its files and options)", () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    writeFiles(dir, {
      'tsconfig.json':
        '{ "compilerOptions": { "strict": false, "noEmit": true, "rootDir": "src" }, "include": ["src"] }',
      'src/loose.ts': 'export function f(x) { return x; }\n',
      'other/ignored.ts': 'export const n: number = "not included";\n',
    });
    expect(createProjectTypeChecker({ root: dir }).check()).toEqual([]);
    writeFiles(dir, { 'tsconfig.json': '{ "compilerOptions": { "strict": true }, "include": ["src"] }' });
    const errors = createProjectTypeChecker({ root: dir }).check();
    expect(errors.map((e) => e.code)).toEqual([7006]);
  });
});

describe('benchTypeCheck', () => {
  it('checks a generated project and a change to it; the second check reuses the first', () => {
    const r = benchTypeCheck({ files: 40 });
    expect(r.files).toBe(40);
    expect(r.incrementalMs).toBeLessThan(r.coldMs);
  });
});

describe('readableMessage', () => {
  it('turns absolute import paths of the integration tree into repository-relative ones', () => {
    const root = '/tmp/x/.orchestra/worktrees/r1/integration';
    const m = `Argument of type 'import("${root}/src/server/hub", { with: { "resolution-mode": "import" } }).Operation' is not assignable to 'import("${root}/src/types/op").Operation'.`;
    expect(readableMessage(root, m)).toBe(
      `Argument of type 'import("src/server/hub").Operation' is not assignable to 'import("src/types/op").Operation'.`,
    );
  });
});
