import { describe, expect, it } from 'vitest';
import { plan, tempDir } from '../../test/validator/fixture.js';
import { preexistingFindings } from './base-check.js';
import {
  type CommandRunner,
  CriteriaCache,
  criterionFindings,
  filesNamedIn,
  namesOwnedPath,
  routeCriterion,
  runCriteriaOnce,
} from './criteria.js';

describe('success criteria', () => {
  const p = plan({
    tasks: [
      {
        id: 'api',
        title: 'api',
        agent: 'backend',
        successCriteria: [
          { description: 'prints ok', command: 'echo ok' },
          { description: 'tests pass', command: 'echo boom >&2; exit 3' },
          { description: 'no command: judged elsewhere' },
        ],
      },
      {
        id: 'slow',
        title: 'slow',
        agent: 'b',
        successCriteria: [{ description: 'hangs', command: 'sleep 5', timeoutMs: 200 }],
      },
    ],
  });

  it('runs the commands in the tree, keeps output and maps failures to the task', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const results = await runCriteriaOnce([p.tasks[0] as (typeof p.tasks)[0]], { cwd: dir, tree: 't' });
      expect(results.map((r) => r.exitCode)).toEqual([0, 3]);
      expect(results[0]?.outputTail).toBe('ok\n');
      const [f, ...rest] = criterionFindings(results, p.tasks);
      expect(rest).toEqual([]);
      expect(f?.taskId).toBe('api');
      expect(f?.agent).toBe('backend');
      expect(f?.title).toBe('Success criterion failed: tests pass');
      expect(f?.details).toContain('  | boom');
    } finally {
      cleanup();
    }
  });

  it('kills a command at its timeout', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const results = await runCriteriaOnce([p.tasks[1] as (typeof p.tasks)[0]], { cwd: dir, tree: 't' });
      expect(results[0]?.timedOut).toBe(true);
      expect(criterionFindings(results, p.tasks)[0]?.actual).toMatch(/^timed out/);
    } finally {
      cleanup();
    }
  });

  it('runs a command three tasks share once, and not again on the same tree', async () => {
    const shared = plan({
      tasks: ['a', 'b', 'c'].map((id) => ({
        id,
        title: id,
        agent: 'x',
        owns: [`src/${id}/**`],
        successCriteria: [{ description: `${id} tests`, command: 'npx vitest run' }],
      })),
    });
    const calls: string[] = [];
    const runner: CommandRunner = async (command) => {
      calls.push(command);
      return { exitCode: 1, timedOut: false, output: 'FAIL src/b/b.test.ts\n' };
    };
    const cache = new CriteriaCache();
    const first = await runCriteriaOnce(shared.tasks, { cwd: '/nowhere', tree: 'tree1', runner, cache });
    expect(calls).toEqual(['npx vitest run']);
    expect(first).toHaveLength(1);
    expect(first[0]?.tasks.map((t) => t.taskId)).toEqual(['a', 'b', 'c']);
    const again = await runCriteriaOnce(shared.tasks, { cwd: '/nowhere', tree: 'tree1', runner, cache });
    expect(calls).toHaveLength(1);
    expect(again[0]?.cached).toBe(true);
    await runCriteriaOnce(shared.tasks, { cwd: '/nowhere', tree: 'tree2', runner, cache });
    expect(calls).toHaveLength(2);
    // One finding for the shared failure, routed to the owner of the file its output names.
    const exists = (f: string) => f === 'src/b/b.test.ts';
    const findings = criterionFindings(first, shared.tasks, (r) =>
      routeCriterion(r, { tasks: shared.tasks, fileExists: exists, mergeOrder: ['a', 'b', 'c'] }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]?.taskId).toBe('b');
    expect(findings[0]?.relatedTasks).toEqual(['a', 'c']);
  });

  it('routes a failure naming only files no task owns to the user', () => {
    const p2 = plan({
      tasks: [{ id: 'a', title: 'a', agent: 'x', owns: ['src/a/**'], successCriteria: [] }],
    });
    const run = {
      command: 'npm run format:check',
      tasks: [{ taskId: 'a', description: 'formatted' }],
      exitCode: 1,
      timedOut: false,
      durationMs: 5,
      outputTail: '[warn] docs/legacy.md\n[warn] Code style issues found in 1 file.\n',
      tree: 't',
      cached: false,
    };
    const exists = (f: string) => f === 'docs/legacy.md';
    expect(filesNamedIn(run.outputTail, exists)).toEqual(['docs/legacy.md']);
    const route = routeCriterion(run, { tasks: p2.tasks, fileExists: exists, mergeOrder: ['a'] });
    expect(route).toEqual({ to: 'user', files: ['docs/legacy.md'] });
    const [f] = criterionFindings([run], p2.tasks, () => route);
    expect(f?.taskId).toBeUndefined();
    expect(f?.fix).toMatch(/no task owns docs\/legacy.md/);
    // Naming nothing: the last merged task naming the command.
    expect(
      routeCriterion(
        { ...run, outputTail: 'failed' },
        { tasks: p2.tasks, fileExists: exists, mergeOrder: ['a'] },
      ),
    ).toEqual({
      to: 'task',
      taskId: 'a',
      files: [],
    });
  });
});

describe("a task's own check is not the base's failure", () => {
  const p = plan({
    tasks: [
      {
        id: 'pattern',
        title: 'pattern',
        agent: 'backend',
        owns: ['src/pattern.ts', 'test/pattern.test.ts'],
        successCriteria: [
          {
            description: 'its tests pass',
            command: 'echo "No test files found: test/pattern.test.ts"; exit 1',
          },
          { description: 'format', command: 'echo "[warn] src/punycode.ts"; exit 1' },
        ],
      },
    ],
  });

  it('marks a command naming the task’s own files, and only that one; only the other is already failing', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const runs = await runCriteriaOnce(p.tasks, { cwd: dir, tree: 'base' });
      expect(runs.map((r) => r.ownWork ?? false)).toEqual([true, false]);
      const onBase = preexistingFindings({
        base: 'b',
        typeErrors: [],
        criteria: runs,
        typescript: { version: '5.9.3', source: 'bundled' },
      });
      expect(onBase.map((f) => f.id)).toEqual(['criterion:echo "[warn] src/punycode.ts"; exit 1']);
    } finally {
      cleanup();
    }
  });

  it('finds owned paths in a command, existing or not, and ignores packages and bare directories', () => {
    const tasks = p.tasks;
    expect(namesOwnedPath('npx vitest run test/pattern.test.ts', tasks)).toBe(true);
    expect(namesOwnedPath('npx eslint ./src/pattern.ts', tasks)).toBe(true);
    expect(namesOwnedPath('npx prettier -c src test', tasks)).toBe(false);
    expect(namesOwnedPath('node node_modules/x/src/pattern.ts', tasks)).toBe(false);
    // A test runner's filter by the start of an owned file (the third trial's new-file check).
    expect(namesOwnedPath('npx vitest run --typecheck test/pattern', tasks)).toBe(true);
    expect(namesOwnedPath('npx vitest run test/pat', tasks)).toBe(false);
  });
});
