import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runWorktreesDir } from '../../src/config/index.js';
import { type PlanInput, planSchema } from '../../src/domain/plan.js';
import { createClaudeCodeExecutor, type Executor } from '../../src/executor/index.js';
import { openRunWorktrees } from '../../src/executor/worktrees.js';
import { buildPacket, type Hub, openHub } from '../../src/hub/index.js';
import { HUB_TOOLS_RULE, hubMcpServers, ownerOfPath } from '../../src/run/hub-tools.js';
import { runTask } from '../../src/run/task-runner.js';
import { type Scenario, scenario, startModelServer } from '../../src/testing/index.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { gitRepo, testAgent } from '../support/scenario-fixtures.js';

// Specialists reach the context hub through an in-process MCP server while they work: the real
// Claude Code binary calls `mcp__orchestra__*` tools, the handlers read and write the hub.

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const plan = planSchema.parse({
  version: 1,
  goal: 'Chat',
  contracts: [
    {
      id: 'Presence',
      kind: 'typescript',
      owner: 'types',
      definition: 'export interface Presence { userId: string; online: boolean }',
    },
  ],
  tasks: [
    {
      id: 'types',
      title: 'Types',
      agent: 'types-specialist',
      owns: ['src/types/**'],
      provides: ['Presence'],
    },
    {
      id: 'api',
      title: 'API',
      agent: 'backend-specialist',
      instructions: 'Write src/api.',
      owns: ['src/api/**'],
    },
  ],
} satisfies PlanInput);

const done = { summary: 'api done', contracts: [], testRequirements: [], dependenciesNeeded: [], notes: [] };

/**
 * The executor with the hub's tools added to every request: what the run engine does through
 * `runTask`'s `mcpServers` setting (see the report), done here around the executor.
 */
function withHubTools(inner: Executor, hub: Hub, runId: string): Executor {
  return {
    ...inner,
    start: (request, options) =>
      inner.start(
        {
          ...request,
          mcpServers: hubMcpServers({
            hub,
            runId,
            taskId: request.taskId,
            plan,
            agent: request.agent,
            worktree: request.cwd,
          }),
        },
        options,
      ),
  };
}

async function setup(s: Scenario) {
  const server = await startModelServer(s);
  cleanup.push(() => server.close({ verify: false }));
  const dir = tempDir('orchestra-hubtools-');
  cleanup.push(dir.remove);
  const root = realpathSync(dir.path);
  const repo = gitRepo(path.join(root, 'repo'), { 'README.md': '# r\n', 'src/api/.keep': '' });
  const hub = openHub({ path: path.join(repo, '.orchestra', 'hub.db') });
  cleanup.push(() => hub.close());
  hub.runs.create({ id: 'r1', goal: plan.goal, repo, plan });
  for (const t of plan.tasks) hub.tasks.upsert({ runId: 'r1', id: t.id, agent: t.agent, status: 'queued' });
  const worktrees = await openRunWorktrees({ cwd: repo, runId: 'r1' });
  cleanup.push(() => worktrees.finish());
  const executor = withHubTools(
    createClaudeCodeExecutor({
      env: claudeTestEnv(server.url, root),
      model: 'claude-sonnet-4-5',
      maxTurns: 12,
    }),
    hub,
    'r1',
  );
  // The specialist templates list the hub tools as `mcp__orchestra__*`.
  const agent = testAgent('backend-specialist', { tools: ['Read', 'Write', 'Edit', 'Bash', HUB_TOOLS_RULE] });
  const run = () =>
    runTask({
      hub,
      executor,
      worktrees,
      runId: 'r1',
      plan,
      taskId: 'api',
      agent,
      ownerOf: (p) => ownerOfPath(plan, p),
    });
  return { server, repo, hub, run };
}

/** The text of every tool_result the binary sent back to the model, in order. */
function toolResults(requests: readonly { body: unknown }[]): string[] {
  const last = requests.at(-1)?.body as { messages?: Array<{ content?: unknown }> } | undefined;
  const out: string[] = [];
  for (const m of last?.messages ?? []) {
    if (!Array.isArray(m.content)) continue;
    for (const c of m.content as Array<{ type?: string; content?: unknown }>) {
      if (c.type !== 'tool_result') continue;
      out.push(
        typeof c.content === 'string'
          ? c.content
          : (c.content as Array<{ text?: string }>).map((x) => x.text ?? '').join(''),
      );
    }
  }
  return out;
}

describe('the hub as tools, with the real Claude Code binary', () => {
  it('a specialist reads a contract it was not given through the hub tool and gets its definition', async () => {
    const t = await setup(
      scenario()
        .on({ taskId: 'api' })
        .tool('mcp__orchestra__read_contract', { id: 'Presence' })
        .tool('mcp__orchestra__list_decisions', {})
        .structured(done),
    );
    const out = await t.run();
    expect(out.status, out.reason).toBe('succeeded');
    const requests = t.server.requests.filter((r) => JSON.stringify(r.body).includes('orchestra-task: api'));
    const first = requests[0]?.body as { system?: unknown; tools?: Array<{ name: string }> } | undefined;
    // The packet did not carry the contract (api neither provides nor consumes it): it was pulled.
    expect(JSON.stringify(first?.system)).toContain('orchestra-task: api');
    expect(JSON.stringify(first?.system)).not.toContain('online: boolean');
    const tools = (first?.tools ?? []).map((x) => x.name);
    expect(tools).toEqual(
      expect.arrayContaining(['mcp__orchestra__read_contract', 'mcp__orchestra__request_change']),
    );
    const results = toolResults(requests);
    // (Claude Code appends a <system-reminder> to tool results.)
    expect(results[0]).toMatch(
      /^Contract Presence \(typescript, v1, owner types\)\nexport interface Presence \{ userId: string; online: boolean \}/,
    );
    expect(results[1]).toContain('Architecture decisions (binding):');
    const used = t.hub.events.list({ runId: 'r1', taskId: 'api', type: 'tool.used' });
    expect(used.map((e) => (e.type === 'tool.used' ? e.tool : ''))).toContain(
      'mcp__orchestra__read_contract',
    );
  });

  it('a change request becomes a fix task for the owner; the requester’s write to that file is still refused', async () => {
    const t = await setup(
      scenario()
        .on({ taskId: 'api' })
        .tool('mcp__orchestra__request_change', {
          path: 'src/types/presence.ts',
          description: 'add lastSeen: number to Presence',
        })
        .write('src/types/presence.ts', 'export interface Presence { lastSeen: number }\n')
        .write('src/api/presence.ts', 'export const presence = 1;\n')
        .structured(done),
    );
    const out = await t.run();
    expect(out.status, out.reason).toBe('succeeded');

    // The model was told who owns it and that the owner will do it.
    const results = toolResults(t.server.requests);
    expect(results[0]).toMatch(
      /^src\/types\/presence\.ts is owned by task types\. .*change request #1 for types/,
    );
    expect(results[1]).toMatch(
      /src\/types\/presence\.ts is not in task api's ownership.*owned by task types/,
    );

    // A fix task for the owner, with the event, and it reaches the owner's packet.
    expect(t.hub.fixes.list('r1')).toMatchObject([
      {
        ownerTask: 'types',
        status: 'open',
        source: 'change-request:api',
        description:
          'Change requested by task api (backend-specialist) for src/types/presence.ts: add lastSeen: number to Presence',
      },
    ]);
    expect(t.hub.events.list({ runId: 'r1', type: 'change.requested' })).toMatchObject([
      { taskId: 'api', by: 'api', owner: 'types', target: 'src/types/presence.ts' },
    ]);
    const ownerPacket = await buildPacket({ plan, taskId: 'types', hub: { hub: t.hub, runId: 'r1' } });
    expect(ownerPacket.text).toContain('add lastSeen: number to Presence');

    // Not a write: the requester's own attempt to write the file was refused and left nothing.
    expect(out.denied).toMatchObject([{ tool: 'Write', path: 'src/types/presence.ts' }]);
    const denied = t.hub.events.list({ runId: 'r1', taskId: 'api', type: 'tool.denied' });
    expect(denied).toMatchObject([{ tool: 'Write', path: 'src/types/presence.ts' }]);
    expect(out.filesChanged).toEqual(['src/api/presence.ts']);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: t.repo, encoding: 'utf8' }).trim();
    expect(git('ls-tree', '-r', '--name-only', out.branch)).not.toContain('src/types/presence.ts');
    expect(
      existsSync(path.join(runWorktreesDir({ root: t.repo, runId: 'r1' }), 'api/src/types/presence.ts')),
    ).toBe(false);
  });
});
