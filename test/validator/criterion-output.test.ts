import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CriterionRun,
  errorLines,
  failureSignature,
  filesNamedIn,
  routeCriterion,
  sameFailure,
} from '../../src/validator/index.js';
import { plan } from './fixture.js';

/**
 * Real outputs, captured on unjs/ufo with the trial's integration branch (see outputs/): vitest
 * 4.1 `--typecheck` with a read-only node_modules (EROFS, every test passing), on the base and on
 * the integration tree; vitest with failing tests in one file; tsc (plain and --pretty); eslint
 * (stylish, absolute paths); prettier -c on the base's misformatted file.
 */
const sample = (name: string) => readFileSync(join(import.meta.dirname, 'outputs', name), 'utf8');
const ROOT = '/tmp/i10-samples/ufo';
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const BASE_ROOT = '/tmp/i10-samples/base';

const p = plan({
  tasks: [
    { id: 'pattern', title: 'p', agent: 'x', owns: ['src/pattern.ts', 'test/pattern.test.ts'] },
    { id: 'match', title: 'm', agent: 'x', owns: ['src/match.ts', 'test/match.test.ts'] },
    { id: 'build', title: 'b', agent: 'x', owns: ['src/build.ts', 'test/build.test.ts'] },
    { id: 'exports-docs', title: 'e', agent: 'x', owns: ['src/index.ts', 'README.md'], dependsOn: ['match'] },
  ],
});
const FILES = new Set([
  'src/pattern.ts',
  'src/match.ts',
  'src/build.ts',
  'src/index.ts',
  'src/punycode.ts',
  'README.md',
  'test/pattern.test.ts',
  'test/match.test.ts',
  'test/build.test.ts',
  'test/punycode.test.ts',
  'test/is-same.test.ts',
  'test/types.test-d.ts',
]);
const exists = (f: string) => FILES.has(f);
const mergeOrder = ['pattern', 'match', 'build', 'exports-docs'];

function run(output: string, over: Partial<CriterionRun> = {}): CriterionRun {
  const exitLine = /\nexit (\d+)\n?$/.exec(output);
  return {
    command: 'npx vitest run --typecheck',
    tasks: [{ taskId: 'exports-docs', description: 'whole suite passes' }],
    exitCode: exitLine ? Number(exitLine[1]) : 1,
    timedOut: false,
    durationMs: 1000,
    outputTail: output.replace(/\nexit \d+\n?$/, '\n'),
    tree: 't',
    cached: false,
    cwd: ROOT,
    ...over,
  };
}

const route = (r: CriterionRun) => routeCriterion(r, { tasks: p.tasks, fileExists: exists, mergeOrder });

describe('routing a failed criterion by its error lines (real outputs)', () => {
  it('vitest --typecheck failing with EROFS while every test passes: the passing files it lists blame nobody', () => {
    const out = sample('vitest-erofs.txt');
    // The whole output names the passing test files, match's among them (what the trial routed by).
    expect(filesNamedIn(out.replace(ANSI, ''), exists)).toContain('test/match.test.ts');
    const errors = errorLines(out);
    expect(errors.some((l) => l.includes('EROFS'))).toBe(true);
    expect(errors.some((l) => l.includes('✓'))).toBe(false);
    expect(errors.join('\n')).not.toContain('test/match.test.ts');
    // No error line names a file of the tree: the criterion's own (last merged) task, never match.
    expect(route(run(out))).toEqual({ to: 'task', taskId: 'exports-docs', files: [] });
  });

  it('vitest with failing tests in one file: its owner, not the owners of the passing files beside it', () => {
    const out = sample('vitest-fail.txt');
    const errors = errorLines(out);
    expect(errors).toContain('FAIL  test/build.test.ts > buildURL > "/" with {}');
    expect(errors).toContain('❯ test/build.test.ts:42:45');
    expect(errors.join('\n')).not.toMatch(/match\.test|pattern\.test/);
    // Code frames under the error are not error lines.
    expect(errors.some((l) => /^\d+\|/.test(l))).toBe(false);
    expect(route(run(out, { command: 'npx vitest run' }))).toEqual({
      to: 'task',
      taskId: 'build',
      files: ['test/build.test.ts'],
    });
  });

  it('tsc, plain and --pretty: the file of the error', () => {
    for (const name of ['tsc.txt', 'tsc-pretty.txt']) {
      const r = run(sample(name), { command: 'npx tsc --noEmit' });
      expect(r.exitCode).toBe(2);
      expect(route(r)).toEqual({ to: 'task', taskId: 'match', files: ['src/match.ts'] });
    }
  });

  it('eslint (stylish) names the file by its absolute path on the line above its problems', () => {
    const out = sample('eslint.txt');
    expect(errorLines(out)).toContain(`${ROOT}/src/match.ts`);
    expect(route(run(out, { command: 'npx eslint src test' }))).toEqual({
      to: 'task',
      taskId: 'match',
      files: ['src/match.ts'],
    });
  });

  it('prettier -c naming only a file no task owns goes to the user', () => {
    const out = sample('prettier.txt');
    expect(errorLines(out)).toEqual([
      '[warn] src/punycode.ts',
      '[warn] Code style issues found in the above file. Run Prettier with --write to fix.',
    ]);
    expect(route(run(out, { command: 'npx prettier -c src test' }))).toEqual({
      to: 'user',
      files: ['src/punycode.ts'],
    });
  });
});

describe('comparing a failure with the base by its error part (real outputs)', () => {
  it('the EROFS failure of the base is the same failure on the integration tree (more tests, other timings, other checkout)', () => {
    const onBase = run(sample('vitest-erofs-base.txt'), { cwd: BASE_ROOT });
    const now = run(sample('vitest-erofs.txt'));
    expect(onBase.outputTail).not.toBe(now.outputTail);
    expect(failureSignature(now.outputTail, now.cwd)).toEqual(
      failureSignature(onBase.outputTail, onBase.cwd),
    );
    expect(sameFailure(onBase, now)).toBe(true);
  });

  it('a new failing test is not the base’s failure; a base that passed has none', () => {
    const onBase = run(sample('vitest-erofs-base.txt'), { cwd: BASE_ROOT });
    const now = run(sample('vitest-fail.txt'));
    expect(sameFailure(onBase, now)).toBe(false);
    expect(sameFailure({ ...onBase, exitCode: 0 }, run(sample('vitest-erofs.txt')))).toBe(false);
  });

  it('a type error that moved down is the same; another error in the same file is new', () => {
    const onBase = run(sample('tsc.txt'), { command: 'npx tsc --noEmit', cwd: BASE_ROOT });
    const moved = run(sample('tsc.txt').replace('(62,14)', '(70,3)'), { command: 'npx tsc --noEmit' });
    expect(sameFailure(onBase, moved)).toBe(true);
    const other = run(
      `${sample('tsc.txt').replace(/\nexit 2\n$/, '')}\nsrc/match.ts(80,1): error TS2304: Cannot find name 'x'.\nexit 2\n`,
      { command: 'npx tsc --noEmit' },
    );
    expect(sameFailure(onBase, other)).toBe(false);
  });

  it('eslint run in another checkout reads the same once its absolute paths are relative', () => {
    const out = sample('eslint.txt');
    const onBase = run(out.replaceAll(ROOT, BASE_ROOT), { cwd: BASE_ROOT });
    expect(sameFailure(onBase, run(out))).toBe(true);
  });

  it('a failure without a word is never matched', () => {
    expect(sameFailure(run('', { cwd: BASE_ROOT }), run(''))).toBe(false);
  });
});
