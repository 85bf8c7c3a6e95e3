import { describe, expect, it } from 'vitest';
import { initRepo, plan, tempDir } from '../../test/validator/fixture.js';
import { openHub } from '../hub/index.js';
import { baseForApproval } from './synthesis-base.js';

describe('the base check at approval time', () => {
  it('shows what already fails on the base with the plan, and records it for the report', async () => {
    const { dir, cleanup } = tempDir();
    const hub = openHub({ path: ':memory:' });
    try {
      initRepo(dir, {
        'tsconfig.json': JSON.stringify({
          compilerOptions: { strict: true, noEmit: true },
          include: ['src'],
        }),
        'src/old.ts': 'export const n: number = "x";\n',
        'lint.sh': 'echo "src/old.ts: 1 problem"; exit 1\n',
      });
      const p = plan({
        tasks: [
          {
            id: 'a',
            title: 'a',
            agent: 'x',
            owns: ['src/a/**'],
            successCriteria: [
              { description: 'lint passes', command: 'sh lint.sh' },
              { description: 'a exists', command: 'test -f src/a/a.ts' },
            ],
          },
        ],
      });
      hub.runs.create({ id: 'r1', goal: 'g', repo: dir, plan: p, status: 'planning' });
      const text = await baseForApproval({ root: dir, plan: p, hub, runId: 'r1' });
      expect(text).toContain('Already failing on the base (reported, never sent to a task):');
      expect(text).toMatch(/`sh lint.sh` exited with 1 on the base \(lint passes\)/);
      expect(text).toMatch(/TS2322 in src\/old.ts:1:14/);
      // The work still to do (a silent `test -f`) is not a known breakage.
      expect(text).not.toContain('test -f src/a/a.ts');
      const [event] = hub.events.list({ runId: 'r1', type: 'validation.base' });
      expect(event).toMatchObject({ typeErrors: 1, criteria: 1 });
    } finally {
      hub.close();
      cleanup();
    }
  });
});
