import { describe, expect, it } from 'vitest';
import { plan, tempDir } from '../../test/validator/fixture.js';
import { criterionFindings, runCriteria } from './criteria.js';

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
      const results = await runCriteria(p.tasks[0] as (typeof p.tasks)[0], { cwd: dir });
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
      const results = await runCriteria(p.tasks[1] as (typeof p.tasks)[0], { cwd: dir });
      expect(results[0]?.timedOut).toBe(true);
      expect(criterionFindings(results, p.tasks)[0]?.actual).toMatch(/^timed out/);
    } finally {
      cleanup();
    }
  });
});
