import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Plan, planSchema } from '../domain/plan.js';
import { type Hub, openHub } from './hub.js';
import { buildPacket } from './packet.js';
import { packetSections } from './packet-sections.js';
import { workspaceSection } from './packet-workspace.js';
import { loadTokenizer } from './tokens.js';

const plan: Plan = planSchema.parse({
  version: 1,
  goal: 'Real-time collaborative editing',
  architecture: {
    decisions: [
      { id: 'd1', decision: 'PostgreSQL for persistence, Redis pub/sub for broadcast', rationale: 'fan-out' },
      { id: 'd2', decision: 'Operational transformation, not CRDTs' },
    ],
    constraints: ['Sub-100ms latency', 'No global locks'],
    excludedDependencies: ['socket.io'],
  },
  contracts: [
    {
      id: 'operation',
      kind: 'typescript',
      owner: 'types',
      definition: 'export interface Operation { userId: string; operation: Transform }',
    },
    { id: 'ws-protocol', kind: 'event', owner: 'server', definition: 'op: Operation; ack: { id: string }' },
  ],
  tasks: [
    {
      id: 'types',
      title: 'Message types',
      agent: 'types-specialist',
      owns: ['src/types/**'],
      provides: ['operation'],
    },
    {
      id: 'server',
      title: 'WebSocket server',
      agent: 'backend-specialist',
      instructions: 'Accept connections on /ws, broadcast operations through Redis.',
      owns: ['src/server/**'],
      reads: ['src/types/**'],
      dependsOn: ['types'],
      provides: ['ws-protocol'],
      consumes: ['operation'],
      successCriteria: [{ description: 'server tests pass', command: 'npx vitest run src/server' }],
    },
  ],
});
const agent = 'You are a backend specialist. Write small, tested modules.\n'.repeat(5);

// Lowest priority first; among equals the later section first.
const DROP_ORDER = [
  'handoff:types',
  'decisions',
  'constraints',
  'previous-attempt',
  'contract:operation (consumes)',
  'contract:ws-protocol (provides)',
  'success-criteria',
  'fixes',
  'agent',
];

let hub: Hub;
beforeEach(() => {
  hub = openHub({ path: ':memory:', now: () => new Date('2026-01-01T00:00:00Z') });
  hub.runs.create({ id: 'r1', goal: plan.goal, repo: '/repo', plan });
  hub.decisions.add({ runId: 'r1', id: 'd3', decision: 'Operations carry a Lamport clock', taskId: 'types' });
  hub.contracts.put(
    'r1',
    {
      ...plan.contracts[0]!,
      definition: 'export interface Operation { userId: string; op: Transform; clock: number }',
    },
    { authorTask: 'types' },
  );
  const handoff = (
    from: string,
    to: string,
    focus: string,
    interfaces = ['src/types/op.ts: export interface Operation'],
  ) => ({
    from,
    to,
    timestamp: '2026-01-01T00:00:00Z',
    artifacts: {
      interfaces,
      implementationNotes: { critical: ['clock is monotonic per user'] },
    },
    nextAgentContext: { focus },
  });
  hub.handoffs.put(
    'r1',
    'types',
    handoff(
      'types',
      'server',
      'Task types "Message types" is done: types written. server consumes contracts operation; web consumes files src/types/op.ts.',
      [
        'src/types/op.ts: export interface Operation',
        ...Array.from(
          { length: 12 },
          (_, i) => `src/types/steps.ts: export type Step${i} = { n: ${i}; at: number }`,
        ),
        'src/internal/cache.ts: export const cache: Map<string, number>',
        'contract operation: export interface Operation { userId: string }',
      ],
    ),
  );
  hub.handoffs.put(
    'r1',
    'server',
    handoff('backend-specialist#1', 'backend-specialist#2', 'Redis wiring left'),
  );
  hub.fixes.add({
    runId: 'r1',
    ownerTask: 'server',
    description: 'Use userId',
    contractId: 'operation',
    expected: 'userId: string',
    actual: 'user_id: number',
  });
});
afterEach(() => hub.close());

const full = (budget = 100_000) =>
  buildPacket({ plan, taskId: 'server', agent, hub: { hub, runId: 'r1' }, budget });

describe('context packets', () => {
  it('counts with the real cl100k BPE', async () => {
    const t = await loadTokenizer();
    expect(t.name).toBe('cl100k_base');
    expect(t.count('hello world')).toBe(2);
    expect(t.count('<|endoftext|>')).toBeGreaterThan(1);
  });

  it('holds every section when the budget allows, with exact token counts', async () => {
    const p = await full();
    const tokenizer = await loadTokenizer();
    // Role, then the run's architecture and contracts, then the task: shared prefixes cache.
    expect(p.sections.map((s) => s.name)).toEqual([
      'agent',
      'decisions',
      'constraints',
      'contract:ws-protocol (provides)',
      'contract:operation (consumes)',
      'task',
      'ownership',
      'fixes',
      'success-criteria',
      'previous-attempt',
      'handoff:types',
    ]);
    expect(p.sections.every((s) => s.included)).toBe(true);
    expect(p.omitted).toEqual([]);
    expect(p.tokens).toBe(tokenizer.count(p.text));
    expect(p.text).not.toContain('Left out');
    // The hub's contract v2, decisions made during the run, the dependency's handoff and the open fix.
    expect(p.text).toContain('## Contract operation: you consume it from types (typescript, v2)');
    expect(p.text).toContain('clock: number');
    expect(p.text).toContain('d3: Operations carry a Lamport clock');
    expect(p.text.indexOf('# Your role')).toBe(0);
    expect(p.text).toContain(
      'orchestra-task: server\norchestra-agent: backend-specialist\norchestra-run: r1',
    );
    // The dependency's handoff reduced to what this task consumes: its clause, readable files.
    expect(p.text).toContain(
      '## Handoff from types\nTask types "Message types" is done: types written. For you: contracts operation.',
    );
    expect(p.text).not.toContain('web consumes');
    // Operation is declared by the consumed contract: not repeated from either handoff.
    expect(p.text).not.toContain('src/types/op.ts: export interface Operation');
    expect(p.text).toContain('- src/types/steps.ts: export type Step0 = { n: 0; at: number }');
    expect(p.text).not.toContain('src/internal/cache.ts');
    expect(p.text.match(/export interface Operation \{/g)).toHaveLength(1);
    expect(p.text).toContain('## Where the previous attempt stopped\nFocus: Redis wiring left');
    expect(p.text).toContain('expected: userId: string');
    expect(p.text).toContain('Never add these dependencies:\n- socket.io');
    expect(p.text).toContain('- src/server/**');
  });

  it('reports each section with the exact token count of its text', async () => {
    const p = await full();
    const tokenizer = await loadTokenizer();
    const task = plan.tasks[1]!;
    const texts = packetSections({
      plan,
      task,
      agent,
      decisions: [...plan.architecture.decisions, { id: 'd3', decision: 'Operations carry a Lamport clock' }],
      contracts: new Map([
        [
          'operation',
          {
            ...plan.contracts[0]!,
            definition: 'export interface Operation { userId: string; op: Transform; clock: number }',
            version: 2,
          },
        ],
        ['ws-protocol', { ...plan.contracts[1]!, version: 1 }],
      ]),
      dependencyHandoffs: new Map([['types', hub.handoffs.latest('r1', 'types')!]]),
      previousAttempt: hub.handoffs.latest('r1', 'server'),
      openFixes: hub.fixes.list('r1'),
      header: 'orchestra-task: server\norchestra-agent: backend-specialist\norchestra-run: r1',
      memory: '',
    });
    expect(p.sections.map((s) => s.tokens)).toEqual(texts.map((s) => tokenizer.count(s.text)));
    expect(`${texts.map((s) => s.text).join('\n\n')}\n`).toBe(p.text);
  });

  it('fits every budget, lists what was left out and how to fetch it, and keeps only the task and files at worst', async () => {
    const whole = await full();
    for (let budget = whole.tokens; budget > 0; budget -= 7) {
      const p = await full(budget);
      if (!p.overBudget) expect(p.tokens).toBeLessThanOrEqual(budget);
      expect(p.tokens).toBe((await loadTokenizer()).count(p.text));
      for (const o of p.omitted) expect(p.text).toContain(`- ${o.name} (${o.tokens} tokens): ${o.hint}`);
      expect(p.omitted.map((o) => o.name)).toEqual(p.sections.filter((x) => !x.included).map((x) => x.name));
    }
    const tiny = await full(10);
    expect(tiny.overBudget).toBe(true);
    expect(tiny.omitted.map((o) => o.name).sort()).toEqual([...DROP_ORDER].sort());
    expect(tiny.sections.filter((s) => s.included).map((s) => s.name)).toEqual(['task', 'ownership']);
    expect(tiny.text).toContain('ask the context hub for contract "operation"');
  });

  it('each token less than the last packet drops the next-lowest priority section', async () => {
    const whole = await full();
    const one = await full(whole.tokens - 1);
    expect(one.omitted.map((o) => o.name)).toEqual(['handoff:types']);
    const two = await full(one.tokens - 1);
    expect(two.omitted.map((o) => o.name)).toEqual(['decisions', 'handoff:types']);
    const three = await full(two.tokens - 1);
    expect(three.omitted.map((o) => o.name)).toEqual(['decisions', 'constraints', 'handoff:types']);
  });

  it('a large high-priority section left out does not take the smaller ones with it', async () => {
    const huge = 'Follow the house style in every detail. '.repeat(400);
    const p = await buildPacket({
      plan,
      taskId: 'server',
      agent: huge,
      hub: { hub, runId: 'r1' },
      budget: 900,
    });
    expect(p.omitted.map((o) => o.name)).toEqual(['agent']);
    expect(p.tokens).toBeLessThanOrEqual(900);
    expect(p.text).toContain('## Decisions');
  });

  it('one token below the full size drops only the (large) last handoff', async () => {
    const whole = await full();
    const p = await full(whole.tokens - 1);
    expect(p.omitted.map((o) => o.name)).toEqual(['handoff:types']);
    expect(p.omitted[0]?.fetch).toEqual({ kind: 'handoff', id: 'types' });
    expect(p.text).toContain('## Left out to fit the context budget');
  });

  it('works from the plan alone', async () => {
    const p = await buildPacket({ plan, taskId: 'server' });
    expect(p.sections.map((s) => s.name)).toEqual([
      'decisions',
      'constraints',
      'contract:ws-protocol (provides)',
      'contract:operation (consumes)',
      'task',
      'ownership',
      'success-criteria',
    ]);
    expect(p.text).toContain('## Contract operation: you consume it from types (typescript)');
    expect(p.text).toContain('orchestra-task: server\norchestra-agent: backend-specialist\n\n# Task');
    expect(p.text).toContain('operation: Transform');
    const small = await buildPacket({ plan, taskId: 'server', budget: 150 });
    expect(small.text).toContain('read in the plan file');
  });

  it("lists the checks already failing on the base after the task's own, once, and drops them first", async () => {
    const failing = ['`npm run lint` exited with 1 on the base (Full lint)'];
    const p = await buildPacket({ plan, taskId: 'server', preexisting: failing });
    const names = p.sections.map((s) => s.name);
    expect(names.indexOf('preexisting')).toBe(names.indexOf('success-criteria') + 1);
    expect(p.text).toContain(
      "## Already failing before this run\nThese checks fail on the run's base commit too: never counted against you, and not yours to fix unless your task says so.\n- `npm run lint` exited with 1 on the base (Full lint)",
    );
    expect(p.text.split('npm run lint').length - 1).toBe(1);
    const tight = await buildPacket({ plan, taskId: 'server', preexisting: failing, budget: p.tokens - 5 });
    expect(tight.omitted.map((o) => o.name)[0]).toBe('preexisting');
    expect(
      (await buildPacket({ plan, taskId: 'server', preexisting: [] })).sections.map((s) => s.name),
    ).not.toContain('preexisting');
  });

  it('names the tasks when the id is unknown', async () => {
    await expect(buildPacket({ plan, taskId: 'nope' })).rejects.toThrow(
      /no task "nope" in the plan; its tasks are: types, server/,
    );
  });
});

describe('open fixes', () => {
  it('quote one compiler message once, however many fixes carry it', async () => {
    const h = openHub({ path: ':memory:' });
    try {
      h.runs.create({ id: 'r1', goal: plan.goal, repo: '/repo', plan });
      const message = "Property 'userId' is missing in type 'Operation' but required in type 'Operation'.";
      for (let i = 0; i < 2; i++)
        h.fixes.add({
          runId: 'r1',
          ownerTask: 'server',
          description: `Fix: make src/server/hub.ts type-check:\n- ${message}`,
          actual: message,
        });
      const p = await buildPacket({ plan, taskId: 'server', hub: { hub: h, runId: 'r1' } });
      expect(p.text.split(message).length - 1).toBe(1);
      expect(p.text).toContain('Fix: make src/server/hub.ts type-check:');
    } finally {
      h.close();
    }
  });
});

describe('the worktree section', () => {
  it('says what the worktree holds on a first attempt and on a later one', () => {
    expect(workspaceSection(plan, { dependencies: [] }).text).toContain(
      "It holds the repository at the run's base commit; no other task's work is in it.",
    );
    const again = workspaceSection(plan, { dependencies: [], earlier: true }).text;
    expect(again).not.toContain('It holds the repository at the');
    expect(again).toContain('Your own earlier work on this task is on your branch');
    const dependent = workspaceSection(plan, { dependencies: ['pattern'], earlier: true }).text;
    expect(dependent).toContain("Your dependencies' work is merged here: pattern.");
    expect(dependent).toContain('Your own earlier work');
  });
});
