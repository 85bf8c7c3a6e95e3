import { realpathSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type PlanInput, planSchema } from '../../src/domain/plan.js';
import { createClaudeCodeExecutor } from '../../src/executor/index.js';
import { openRunWorktrees } from '../../src/executor/worktrees.js';
import { openHub } from '../../src/hub/index.js';
import { buildCompletionHandoff, gitFileReader, storeCompletionHandoff } from '../../src/run/handoff.js';
import { runTask } from '../../src/run/task-runner.js';
import { scenario, startModelServer } from '../../src/testing/index.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { gitRepo, testAgent } from '../support/scenario-fixtures.js';

// Pattern 4 end to end: a task completes, its handoff is built from its result and its real branch
// diff, stored in the hub, and the dependent task's request carries it in its packet.

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const plan = planSchema.parse({
  version: 1,
  goal: 'Real-time chat',
  architecture: { excludedDependencies: ['socket.io'] },
  contracts: [
    {
      id: 'ChatMessage',
      kind: 'typescript',
      owner: 'types',
      definition: 'export interface ChatMessage { userId: string }',
    },
  ],
  tasks: [
    {
      id: 'types',
      title: 'Chat types',
      agent: 'types-specialist',
      owns: ['src/types/**', 'package.json'],
      provides: ['ChatMessage'],
    },
    {
      id: 'web',
      title: 'Chat client',
      agent: 'frontend-specialist',
      owns: ['src/web/**'],
      reads: ['src/types/**'],
      dependsOn: ['types'],
      consumes: ['ChatMessage'],
    },
  ],
} satisfies PlanInput);

const typesResult = {
  summary: 'ChatMessage and the socket events',
  contracts: [
    { id: 'ChatMessage', definition: 'export interface ChatMessage { userId: string; text: string }' },
  ],
  testRequirements: ['Messages keep their order per user'],
  dependenciesNeeded: [],
  notes: ['Timestamps must be epoch milliseconds', 'Max 64 KiB per message'],
};

describe('completion handoffs with the real Claude Code binary', () => {
  it("a dependent task's request contains its dependency's handoff, built from the real diff", async () => {
    const server = await startModelServer(
      scenario()
        .on({ taskId: 'types' })
        .write(
          'src/types/chat.ts',
          'export interface ChatMessage { userId: string; text: string; at: number }\nexport function isChatMessage(x: unknown): x is ChatMessage { return typeof x === "object"; }\n',
        )
        .read('package.json')
        .write('package.json', '{\n  "name": "chat",\n  "dependencies": { "ws": "^8.18.0" }\n}\n')
        .structured(typesResult)
        .on({ taskId: 'web' })
        .write('src/web/chat.ts', 'export const chat = 1;\n')
        .structured({ ...typesResult, contracts: [], notes: [] }),
    );
    cleanup.push(() => server.close({ verify: false }));
    const dir = tempDir('orchestra-handoff-');
    cleanup.push(dir.remove);
    const root = realpathSync(dir.path);
    const repo = gitRepo(path.join(root, 'repo'), {
      'README.md': '# r\n',
      'package.json': '{ "name": "chat" }\n',
    });
    const hub = openHub({ path: path.join(repo, '.orchestra', 'hub.db') });
    cleanup.push(() => hub.close());
    hub.runs.create({ id: 'r1', goal: plan.goal, repo, plan });
    const worktrees = await openRunWorktrees({ cwd: repo, runId: 'r1' });
    cleanup.push(() => worktrees.finish());
    const executor = createClaudeCodeExecutor({
      env: claudeTestEnv(server.url, root),
      model: 'claude-sonnet-4-5',
      maxTurns: 12,
    });
    const run = (taskId: string, agent: string) =>
      runTask({ hub, executor, worktrees, runId: 'r1', plan, taskId, agent: testAgent(agent) });

    const a = await run('types', 'types-specialist');
    expect(a.status, a.reason).toBe('succeeded');

    // What the engine does when a task completes.
    const handoff = await buildCompletionHandoff({
      task: plan.tasks[0]!,
      plan,
      agentName: 'types-specialist',
      result: a.result,
      changes: await worktrees.changes('types'),
      readFile: gitFileReader({ cwd: repo, ref: a.branch }),
      readBaseFile: gitFileReader({ cwd: repo, ref: worktrees.base }),
      availableContextBudget: 8500,
    });
    storeCompletionHandoff(hub, 'r1', 'types', handoff);
    expect(handoff.to).toBe('web');
    expect(handoff.artifacts.interfaces).toEqual([
      'src/types/chat.ts: export interface ChatMessage { userId: string; text: string; at: number; }',
      'src/types/chat.ts: export function isChatMessage(x: unknown): x is ChatMessage;',
      'contract ChatMessage: export interface ChatMessage { userId: string; text: string }',
    ]);
    expect(handoff.artifacts.dependencies).toEqual(['ws@^8.18.0']);
    expect(handoff.artifacts.implementationNotes.critical).toEqual([
      'Added: src/types/chat.ts',
      'Modified: package.json',
      'Timestamps must be epoch milliseconds',
    ]);
    expect(handoff.artifacts.implementationNotes.limitation).toEqual(['Max 64 KiB per message']);

    const b = await run('web', 'frontend-specialist');
    expect(b.status, b.reason).toBe('succeeded');
    const webRequests = server.requests.filter((r) => JSON.stringify(r.body).includes('orchestra-task: web'));
    expect(webRequests.length).toBeGreaterThan(0);
    const system = JSON.stringify((webRequests[0]?.body as { system?: unknown } | undefined)?.system);
    expect(system).toContain('## Handoff from types');
    expect(system).toContain('export function isChatMessage(x: unknown): x is ChatMessage;');
    expect(system).toContain('ws@^8.18.0');
    expect(system).toContain('Timestamps must be epoch milliseconds');
    // The dependency's focus reduced to this task's own clause.
    expect(system).toContain('For you: contracts ChatMessage and files src/types/chat.ts.');
    // The dependency's own requests never carried it (it did not exist yet).
    const typesRequests = server.requests.filter((r) =>
      JSON.stringify(r.body).includes('orchestra-task: types'),
    );
    expect(JSON.stringify(typesRequests.map((r) => r.body))).not.toContain('## Handoff from types');
  });
});
