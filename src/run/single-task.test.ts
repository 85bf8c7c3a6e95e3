import { realpathSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/model-server.js';
import { gitRepo } from '../../test/support/scenario-fixtures.js';
import { planSchema } from '../domain/plan.js';
import type { ExecutionRequest, Executor } from '../executor/index.js';
import { hubPath, openHub } from '../hub/index.js';
import { createScriptedExecutor, scenario } from '../testing/index.js';
import { runSingleTask } from './single-task.js';

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.reverse()) c();
  cleanup = [];
});

const OPERATION = 'export interface Operation { userId: string; operation: Transform }';

/** A scripted executor that also keeps every request it was given. */
function recording(): { executor: Executor; requests: ExecutionRequest[] } {
  const inner = createScriptedExecutor({
    scenario: scenario()
      .on({ taskId: 'task' })
      .write('src/api/users.ts', 'export const users: string[] = [];\n')
      .structured({ summary: 'users' }),
  });
  const requests: ExecutionRequest[] = [];
  return {
    requests,
    executor: {
      ...inner,
      start: (r, o) => {
        requests.push(r);
        return inner.start(r, o);
      },
    },
  };
}

function repoWithHubContract(): string {
  const dir = tempDir('orchestra-single-');
  cleanup.push(dir.remove);
  const repo = gitRepo(path.join(realpathSync(dir.path), 'repo'), { 'README.md': '# r\n' });
  const hub = openHub({ path: hubPath(repo) });
  const plan = planSchema.parse({
    version: 1,
    goal: 'earlier run',
    contracts: [{ id: 'operation', kind: 'typescript', owner: 'types', definition: OPERATION }],
    tasks: [
      {
        id: 'types',
        title: 'Types',
        agent: 'types-specialist',
        owns: ['src/types/**'],
        provides: ['operation'],
      },
    ],
  });
  hub.runs.create({ id: 'earlier', goal: plan.goal, repo, plan });
  hub.close();
  return repo;
}

describe('runSingleTask --context-from hub:interfaces', () => {
  it("puts the hub's latest contracts into the task's packet, and only when asked", async () => {
    const repo = repoWithHubContract();
    const withHub = recording();
    const out = await runSingleTask({
      cwd: repo,
      homeDir: path.dirname(repo),
      agent: 'backend-specialist',
      owns: ['src/api/**'],
      contextFrom: ['hub:interfaces'],
      instructions: 'Add a users API',
      executor: withHub.executor,
    });
    expect(out.status, out.reason).toBe('succeeded');
    expect(withHub.requests[0]?.packet).toContain(OPERATION);

    const plain = recording();
    await runSingleTask({
      cwd: repo,
      homeDir: path.dirname(repo),
      agent: 'backend-specialist',
      owns: ['src/api/**'],
      instructions: 'Again',
      executor: plain.executor,
    });
    expect(plain.requests[0]?.packet).not.toContain(OPERATION);
  });

  it('refuses an unknown context source with what is supported', async () => {
    const repo = repoWithHubContract();
    await expect(
      runSingleTask({
        cwd: repo,
        homeDir: path.dirname(repo),
        agent: 'backend-specialist',
        owns: ['src/**'],
        contextFrom: ['hub:everything'],
        instructions: 'x',
      }),
    ).rejects.toThrow(/unknown --context-from "hub:everything"; supported: hub:interfaces/);
  });
});
