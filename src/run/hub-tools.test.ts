import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type PlanInput, planSchema } from '../domain/plan.js';
import { type Hub, openHub } from '../hub/index.js';
import {
  createHubTools,
  HUB_TOOL_NAMES,
  hubMcpServers,
  hubToolHandlers,
  hubToolsAllowed,
  ownerOfPath,
} from './hub-tools.js';

const plan = planSchema.parse({
  version: 1,
  goal: 'chat',
  architecture: {
    decisions: [{ id: 'transport', decision: 'WebSocket via ws', rationale: 'bidirectional' }],
    constraints: ['No global state'],
    excludedDependencies: ['socket.io'],
  },
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
      title: 'Types',
      agent: 'types-specialist',
      owns: ['src/types/**'],
      provides: ['ChatMessage'],
    },
    {
      id: 'api',
      title: 'API',
      agent: 'backend-specialist',
      owns: ['src/api/'],
      dependsOn: ['types'],
      consumes: ['ChatMessage'],
    },
    { id: 'web', title: 'Web', agent: 'frontend-specialist', owns: ['src/web/**'], dependsOn: ['types'] },
  ],
} satisfies PlanInput);

let hub: Hub;
const open = () => {
  hub = openHub({ path: ':memory:', now: () => new Date('2026-01-01T00:00:00Z') });
  hub.runs.create({ id: 'r1', goal: plan.goal, repo: '/repo', plan });
  return hubToolHandlers({
    hub,
    runId: 'r1',
    taskId: 'api',
    plan,
    agentName: 'backend-specialist',
    worktree: '/wt/api',
  });
};
afterEach(() => hub?.close());

describe('hub tools', () => {
  it('read_contract answers the latest hub version, then a given version, else lists what exists', () => {
    const h = open();
    expect(h.read_contract({ id: 'ChatMessage' }).text).toContain(
      'export interface ChatMessage { userId: string }',
    );
    hub.contracts.put('r1', {
      ...plan.contracts[0]!,
      definition: 'export interface ChatMessage { userId: number }',
    });
    const latest = h.read_contract({ id: 'ChatMessage' });
    expect(latest.isError).toBeUndefined();
    expect(latest.text).toMatch(/^Contract ChatMessage \(typescript, v2, owner types\)/);
    expect(latest.text).toContain('userId: number');
    expect(h.read_contract({ id: 'ChatMessage', version: 1 }).text).toContain('userId: string');
    const missing = h.read_contract({ id: 'Nope' });
    expect(missing).toEqual({ text: expect.stringContaining('Known contracts: ChatMessage'), isError: true });
  });

  it('read_contract falls back to the plan when the hub has no version', () => {
    hub = openHub({ path: ':memory:' });
    hub.runs.create({ id: 'r2', goal: 'g', repo: '/repo' }); // no plan stored: no contract versions
    const h = hubToolHandlers({ hub, runId: 'r2', taskId: 'api', plan, agentName: 'a' });
    expect(h.read_contract({ id: 'ChatMessage' }).text).toMatch(/v1, owner types/);
  });

  it('record_decision adds an agent decision with an event; list_decisions shows it with the plan ones', () => {
    const h = open();
    expect(
      h.record_decision({ id: 'errors', decision: 'Errors are {code, message}' }).isError,
    ).toBeUndefined();
    expect(hub.decisions.list('r1').find((d) => d.id === 'errors')).toMatchObject({
      source: 'agent',
      taskId: 'api',
    });
    expect(hub.events.list({ runId: 'r1', type: 'decision' })).toMatchObject([
      { taskId: 'api', decisionId: 'errors', decision: 'Errors are {code, message}' },
    ]);
    const list = h.list_decisions({}).text;
    expect(list).toContain('- transport: WebSocket via ws (bidirectional)');
    expect(list).toContain('- errors: Errors are {code, message} [by api]');
    expect(list).toContain('- No global state');
    expect(list).toContain('- socket.io');
  });

  it('record_decision refuses to revise a plan decision or another task’s', () => {
    const h = open();
    expect(h.record_decision({ id: 'transport', decision: 'SSE' }).isError).toBe(true);
    hubToolHandlers({ hub, runId: 'r1', taskId: 'web', plan, agentName: 'f' }).record_decision({
      id: 'x',
      decision: 'one',
    });
    expect(h.record_decision({ id: 'x', decision: 'two' }).isError).toBe(true);
    expect(hub.decisions.list('r1').find((d) => d.id === 'x')?.decision).toBe('one');
    expect(hub.decisions.list('r1').find((d) => d.id === 'transport')?.decision).toBe('WebSocket via ws');
  });

  it('record_note appends a note event of the task', () => {
    const h = open();
    h.record_note({ text: 'the API streams in order' });
    expect(hub.events.list({ runId: 'r1', type: 'note' })).toMatchObject([
      { taskId: 'api', text: 'the API streams in order' },
    ]);
  });

  it('request_change on a path becomes an open fix for its owner with a change.requested event, once', () => {
    const h = open();
    const a = h.request_change({ path: '/wt/api/src/types/chat.ts', description: 'add userName' });
    expect(a.isError).toBeUndefined();
    expect(a.text).toMatch(/owned by task types/);
    expect(a.text).toMatch(/Do not write src\/types\/chat\.ts yourself/);
    const fixes = hub.fixes.list('r1', { ownerTask: 'types' });
    expect(fixes).toMatchObject([
      {
        status: 'open',
        source: 'change-request:api',
        description: 'Change requested by task api (backend-specialist) for src/types/chat.ts: add userName',
      },
    ]);
    expect(hub.events.list({ runId: 'r1', type: 'change.requested' })).toMatchObject([
      { taskId: 'api', by: 'api', owner: 'types', target: 'src/types/chat.ts', description: 'add userName' },
    ]);
    // Asking again does not pile up duplicates.
    expect(h.request_change({ path: 'src/types/chat.ts', description: 'add userName' }).text).toMatch(
      /already requested/,
    );
    expect(hub.fixes.list('r1')).toHaveLength(1);
    expect(hub.events.list({ runId: 'r1', type: 'change.requested' })).toHaveLength(1);
    // The owner sees it.
    const owner = hubToolHandlers({ hub, runId: 'r1', taskId: 'types', plan, agentName: 't' });
    expect(owner.list_fixes({}).text).toContain('from change-request:api');
  });

  it('request_change on a contract goes to the contract’s owner, with the contract id', () => {
    const h = open();
    expect(
      h.request_change({ contract: 'ChatMessage', description: 'userId must be a number' }).text,
    ).toMatch(/contract ChatMessage is owned by task types/);
    expect(hub.fixes.list('r1')).toMatchObject([{ ownerTask: 'types', contractId: 'ChatMessage' }]);
    expect(hub.events.list({ runId: 'r1', type: 'change.requested' })).toMatchObject([
      { target: 'contract:ChatMessage' },
    ]);
  });

  it('request_change refuses without a target, for its own files, unowned paths and unknown contracts', () => {
    const h = open();
    expect(h.request_change({ description: 'x' }).isError).toBe(true);
    expect(h.request_change({ path: 'src/api/a.ts', description: 'x' }).text).toMatch(
      /You own src\/api\/a\.ts/,
    );
    expect(h.request_change({ path: 'README.md', description: 'x' }).text).toMatch(
      /No task of this run owns README\.md/,
    );
    expect(h.request_change({ contract: 'Nope', description: 'x' }).isError).toBe(true);
    expect(hub.fixes.list('r1')).toEqual([]);
    expect(hub.events.list({ runId: 'r1', type: 'change.requested' })).toEqual([]);
  });

  it('read_handoff returns the latest handoff of a task, or says there is none', () => {
    const h = open();
    expect(h.read_handoff({ taskId: 'types' }).isError).toBe(true);
    hub.handoffs.put('r1', 'types', {
      from: 'types',
      to: 'api, web',
      timestamp: '2026-01-01T00:00:00.000Z',
      artifacts: { interfaces: ['src/types/chat.ts: export interface ChatMessage { userId: string; }'] },
      nextAgentContext: { focus: 'use ChatMessage' },
    });
    expect(h.read_handoff({ taskId: 'types' }).text).toContain('export interface ChatMessage');
  });

  it('a failing hub is an error answer, never a throw', () => {
    const h = open();
    hub.close();
    expect(h.record_note({ text: 'x' })).toEqual({
      text: expect.stringMatching(/could not do this/),
      isError: true,
    });
    hub = openHub({ path: ':memory:' }); // for afterEach
  });

  it('ownerOfPath agrees with the ownership globs: a path has at most the one owner whose glob matches', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('src/types', 'src/api', 'src/web', 'docs', 'src'),
        fc.stringMatching(/^[a-z]{1,8}\.ts$/),
        (dir, file) => {
          const owner = ownerOfPath(plan, `${dir}/${file}`);
          const owners: Record<string, string> = { 'src/types': 'types', 'src/api': 'api', 'src/web': 'web' };
          const expected = owners[dir];
          expect(owner).toBe(expected);
        },
      ),
    );
  });

  it('createHubTools builds an in-process SDK server named orchestra with every tool', () => {
    open();
    const t = createHubTools({ hub, runId: 'r1', taskId: 'api', plan, agentName: 'backend-specialist' });
    expect(t.name).toBe('orchestra');
    expect(t.config).toMatchObject({ type: 'sdk', name: 'orchestra' });
    expect(t.config.instance).toBeDefined();
    expect(HUB_TOOL_NAMES).toContain('request_change');
  });
});

describe('which agents get the hub tools', () => {
  it('hubToolsAllowed follows the agent’s tools and disallowedTools', () => {
    expect(hubToolsAllowed({})).toEqual([...HUB_TOOL_NAMES]);
    expect(hubToolsAllowed({ tools: ['Read', 'Grep', 'Glob'] })).toEqual([]);
    expect(hubToolsAllowed({ tools: ['Read', 'mcp__orchestra__*'] })).toEqual([...HUB_TOOL_NAMES]);
    expect(
      hubToolsAllowed({ tools: ['mcp__orchestra'], disallowedTools: ['mcp__orchestra__request_change'] }),
    ).toEqual(HUB_TOOL_NAMES.filter((n) => n !== 'request_change'));
    expect(hubToolsAllowed({ tools: ['mcp__orchestra__read_contract', 'mcp__other__*'] })).toEqual([
      'read_contract',
    ]);
  });

  it('hubMcpServers gives the server only to agents allowed to use it', () => {
    open();
    const base = { hub, runId: 'r1', taskId: 'api', plan };
    expect(hubMcpServers({ ...base, agent: { name: 'orchestrator', tools: ['Read'] } })).toEqual({});
    const servers = hubMcpServers({
      ...base,
      agent: { name: 'backend-specialist', tools: ['mcp__orchestra__*'] },
    });
    expect(Object.keys(servers)).toEqual(['orchestra']);
    expect(servers.orchestra).toMatchObject({ type: 'sdk', name: 'orchestra' });
  });
});
