import { describe, expect, it } from 'vitest';
import { type EventPayload, handoffSchema } from '../domain/index.js';
import { createLifecycleMonitor } from './monitor.js';
import { renderHandoffForPacket } from './render-handoff.js';
import { type SummarizeAttemptInput, summarizeAttempt } from './summarize.js';

const now = () => new Date('2026-08-20T10:00:00.000Z');
const task = {
  id: 'api',
  title: 'User API',
  agent: 'api-specialist',
  owns: ['src/api/**'],
  successCriteria: [
    { description: 'tests pass', command: 'npm test' },
    { description: 'types check', command: 'npx tsc --noEmit' },
    { description: 'documented' },
  ],
};
const usage = (inputTokens: number, messageId: string): EventPayload => ({
  type: 'usage',
  model: 'claude-sonnet-4-5',
  messageId,
  usage: { inputTokens, outputTokens: 100, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
});
const used = (toolUseId: string, tool: string, input: unknown): EventPayload => ({
  type: 'tool.used',
  tool,
  input,
  toolUseId,
});
const failed = (toolUseId: string, tool: string, error: string): EventPayload => ({
  type: 'tool.failed',
  tool,
  error,
  toolUseId,
});
const changed = (path: string, sha256: string | null): EventPayload => ({
  type: 'file.changed',
  path,
  sha256,
});

/** A realistic attempt: explore, decide, implement, debug, install, get refused, run out of context. */
const events: EventPayload[] = [
  { type: 'task.started', attempt: 1, agent: 'api-specialist', branch: 'orchestra/r1/api' },
  usage(20_000, 'm1'),
  used('t1', 'Read', { file_path: 'src/types.ts' }),
  used('t2', 'Grep', { pattern: 'interface Account', path: 'src' }),
  used('t3', 'Glob', { pattern: 'src/**/*.ts' }),
  used('t4', 'Bash', { command: 'ls src/legacy' }),
  { type: 'decision', decisionId: 'user-store', decision: 'Store users in a Map keyed by id' },
  { type: 'note', text: 'assistant: let me look around the legacy folder first' },
  usage(40_000, 'm2'),
  used('t5', 'Write', { file_path: 'src/api/user.ts', content: 'v1' }),
  changed('src/api/user.ts', 'aaaaaaaa11111111'),
  used('t6', 'Write', { file_path: 'src/api/user.test.ts', content: 'tests' }),
  changed('src/api/user.test.ts', 'tttttttt11111111'),
  used('t7', 'Bash', { command: 'npm test' }),
  failed('t7', 'Bash', 'FAIL src/api/user.test.ts > getUser\nexpected undefined'),
  usage(60_000, 'm3'),
  used('t8', 'Edit', { file_path: 'src/api/user.ts', old_string: 'a', new_string: 'b' }),
  changed('src/api/user.ts', 'bbbbbbbb22222222'),
  used('t9', 'Bash', { command: 'npm test' }),
  failed('t9', 'Bash', 'TypeError: rows is not iterable\n    at getUser (src/api/user.ts:4:3)'),
  usage(80_000, 'm4'),
  used('t10', 'Edit', { file_path: 'src/api/user.ts', old_string: 'b', new_string: 'c' }),
  changed('src/api/user.ts', 'cccccccc33333333'),
  used('t11', 'Bash', { command: 'npm test' }),
  usage(100_000, 'm5'),
  used('t12', 'Bash', { command: 'npm install zod@4 --save-exact' }),
  used('t13', 'Write', { file_path: '../shared/x.ts', content: 'x' }),
  {
    type: 'tool.denied',
    tool: 'Write',
    path: '../shared/x.ts',
    reason: 'outside ownership: owned by task web',
  },
  failed('t13', 'Write', 'Permission denied'),
  usage(120_000, 'm6'),
  used('t14', 'Write', { file_path: 'src/api/routes.ts', content: 'routes' }),
  changed('src/api/routes.ts', 'rrrrrrrr11111111'),
  used('t15', 'Bash', { command: 'npx tsc --noEmit' }),
  failed('t15', 'Bash', "src/api/routes.ts(3,1): error TS2304: Cannot find name 'Router'."),
  used('t16', 'Read', { file_path: 'src/huge-generated.ts' }),
  failed('t16', 'Read', 'File content exceeds maximum allowed tokens'),
  { type: 'api.retry', attempt: 1, status: 529, error: 'overloaded' },
  { type: 'lease.acquired', patterns: ['src/api/**'] },
  usage(172_000, 'm7'),
];

const files: Record<string, string> = {
  'src/api/user.ts': `
import type { User } from '../types.js';
const cache = new Map<string, User>();
/** Find a user. */
export async function getUser(id: string): Promise<User | undefined> {
  for (const row of await rows(id)) cache.set(row.id, row);
  return cache.get(id);
}
function rows(id: string) { return Promise.resolve([]); }
`,
  'src/api/routes.ts': 'export const routes = (app: Router): void => { app.get("/users/:id"); };',
  'src/api/user.test.ts': 'export const fixture = 1;',
};

function input(extra: Partial<SummarizeAttemptInput> = {}): SummarizeAttemptInput {
  const monitor = createLifecycleMonitor({ now });
  for (const e of events) monitor.observe(e);
  return {
    events,
    task,
    verdict: monitor.verdict(),
    criteria: [
      { description: 'tests pass', passed: true },
      { description: 'types check', passed: false, output: "error TS2304: Cannot find name 'Router'.\nmore" },
    ],
    readFile: (p) => files[p],
    availableContextBudget: 8500,
    now,
    ...extra,
  };
}

describe('summarizeAttempt', () => {
  it('keeps done work, decisions, final fixes, interfaces and what remains', async () => {
    const s = await summarizeAttempt(input());
    expect(s.terminationReason).toBe('context');
    expect(s.terminationDetail).toBe('context use 172000 of 200000 tokens (86%) reached the 85% limit');
    expect(s.done).toEqual([
      { path: 'src/api/routes.ts', sha256: 'rrrrrrrr11111111' },
      { path: 'src/api/user.test.ts', sha256: 'tttttttt11111111' },
      { path: 'src/api/user.ts', sha256: 'cccccccc33333333' },
    ]);
    expect(s.decisions).toEqual(['Decision user-store: Store users in a Map keyed by id']);
    expect(s.fixes).toEqual([
      'Fixed: Bash `npm test` failed 2× (last error: TypeError: rows is not iterable), then succeeded after changes to src/api/user.ts.',
    ]);
    expect(s.remaining).toEqual([
      'success criterion "types check" (`npx tsc --noEmit`) failing: error TS2304: Cannot find name \'Router\'.',
      'success criterion "documented" not yet verified',
      "Bash `npx tsc --noEmit` still failing (1×, last error: src/api/routes.ts(3,1): error TS2304: Cannot find name 'Router'.)",
    ]);

    const h = s.handoff;
    expect(h.from).toBe('api-specialist (task api, attempt 1)');
    expect(h.to).toBe('api-specialist (task api, attempt 2)');
    expect(h.timestamp).toBe('2026-08-20T10:00:00.000Z');
    expect(h.artifacts.interfaces).toEqual([
      'src/api/routes.ts: export const routes = (app: Router): void => …;',
      'src/api/user.ts: export async function getUser(id: string): Promise<User | undefined>;',
    ]);
    expect(h.artifacts.implementationNotes.critical).toEqual([
      'Changed src/api/routes.ts (content rrrrrrrr)',
      'Changed src/api/user.test.ts (content tttttttt)',
      'Changed src/api/user.ts (content cccccccc)',
      'Recorded decisions user-store (see the architecture)',
      s.fixes[0],
    ]);
    expect(h.artifacts.implementationNotes.limitation).toEqual([
      'Attempt 1 ended: context — context use 172000 of 200000 tokens (86%) reached the 85% limit',
    ]);
    expect(h.artifacts.dependencies).toEqual(['zod@4']);
    expect(h.artifacts.testRequirements).toEqual([
      'tests pass (`npm test`)',
      'types check (`npx tsc --noEmit`)',
      'documented',
    ]);
    expect(h.nextAgentContext.constraints).toEqual([
      'Write only inside: src/api/**',
      'Build on the changes already on the task branch; do not start over.',
      'The previous attempt filled 86% of its context: read only what you need, in small ranges.',
      'Writing ../shared/x.ts was refused: outside ownership: owned by task web',
    ]);
    expect(h.nextAgentContext.focus).toMatch(
      /^Continue task api "User API" from attempt 1, which was stopped \(context\)\. Remaining: success criterion "types check"/,
    );
    expect(h.nextAgentContext.availableContextBudget).toBe(8500);
    expect(handoffSchema.parse(h)).toEqual(h);
  });

  it('drops exploration, implementation bodies, notes and plumbing events', async () => {
    const { handoff } = await summarizeAttempt(input());
    const text = JSON.stringify(handoff) + renderHandoffForPacket(handoff);
    for (const dropped of [
      'src/types.ts', // Read
      'interface Account', // Grep
      'src/**/*.ts', // Glob
      'src/legacy', // read-only shell
      'look around', // note
      'huge-generated', // a failed Read is exploration, not debugging
      'exceeds maximum', // its error
      'overloaded', // api.retry
      'cache.set', // implementation body
      'fixture', // test file exports
      'FAIL src/api/user.test.ts', // intermediate debugging error, only the last one is kept
      'Permission denied', // the refusal is kept once, as a constraint
    ]) {
      expect(text, dropped).not.toContain(dropped);
    }
  });

  it('is deterministic for the same input', async () => {
    expect(await summarizeAttempt(input())).toEqual(await summarizeAttempt(input()));
  });

  it('takes the reason from the event log and names the loop in the constraints', async () => {
    const loop = [
      { type: 'task.started', attempt: 2, agent: 'api-specialist' },
      changed('src/api/a.ts', 'A1'),
      changed('src/api/a.ts', 'B2'),
      changed('src/api/a.ts', 'A1'),
    ] satisfies EventPayload[];
    const monitor = createLifecycleMonitor({ now });
    for (const e of loop) monitor.observe(e);
    const s = await summarizeAttempt({ events: loop, task, verdict: monitor.verdict(), now });
    expect(s.terminationReason).toBe('loop');
    expect(s.handoff.to).toBe('api-specialist (task api, attempt 3)');
    expect(s.handoff.nextAgentContext.constraints).toContain(
      'Do not return src/api/a.ts to an earlier content: the previous attempt changed it back and forth.',
    );
    expect(s.handoff.artifacts.interfaces).toEqual([]); // no readFile: no interfaces

    const logged = await summarizeAttempt({
      events: [
        ...loop,
        { type: 'task.terminated', attempt: 2, reason: 'failures', detail: '3 consecutive failures' },
      ],
      task,
      now,
    });
    expect([logged.terminationReason, logged.terminationDetail]).toEqual([
      'failures',
      '3 consecutive failures',
    ]);
    const unknown = await summarizeAttempt({ events: [], task, now });
    expect(unknown.terminationReason).toBe('unknown');
    expect(unknown.remaining).toContain('no file has been changed yet');
    expect(unknown.handoff.artifacts.implementationNotes.limitation).toEqual([]);
  });

  it('carries the partial result and layers an optional LLM summary', async () => {
    const s = await summarizeAttempt(
      input({
        partialResult: {
          summary: 'getUser done,\nroutes half done',
          contracts: [
            {
              id: 'user-api',
              definition: 'export interface UserApi {\n  getUser(id: string): Promise<User>;\n}',
            },
          ],
          dependenciesNeeded: ['express@5'],
          testRequirements: ['routes return 404 for unknown users'],
        },
        llmSummary: async ({ handoff }) =>
          `Routes remain; ${handoff.artifacts.interfaces.length} interfaces exist.`,
      }),
    );
    const h = s.handoff;
    expect(h.artifacts.interfaces).toContain(
      'contract user-api: export interface UserApi { getUser(id: string): Promise<User>; }',
    );
    expect(h.artifacts.dependencies).toEqual(['express@5', 'zod@4']);
    expect(h.artifacts.testRequirements).toContain('routes return 404 for unknown users');
    expect(h.artifacts.implementationNotes.critical).toContain(
      "Agent's summary: getUser done, routes half done",
    );
    expect(h.artifacts.implementationNotes.critical.at(-1)).toBe(
      'Summary: Routes remain; 3 interfaces exist.',
    );

    const broken = await summarizeAttempt(
      input({
        llmSummary: () => Promise.reject(new Error('model unavailable')),
      }),
    );
    expect(broken.handoff.artifacts.implementationNotes.limitation).toContain(
      'LLM summary unavailable: model unavailable',
    );
  });
});

describe('renderHandoffForPacket', () => {
  it('renders compact Markdown with focus, constraints, interfaces, notes and tests', async () => {
    const { handoff } = await summarizeAttempt(input());
    const md = renderHandoffForPacket(handoff);
    expect(md.startsWith('## Handoff from api-specialist (task api, attempt 1)\n')).toBe(true);
    expect(md).toContain('**Focus:** Continue task api "User API"');
    expect(md).toContain('**Constraints**\n- Write only inside: src/api/**\n');
    expect(md).toContain(
      '**Interfaces already exported**\n```ts\nsrc/api/routes.ts: export const routes = (app: Router): void => …;\n',
    );
    expect(md).toContain('**Dependencies:** zod@4');
    expect(md).toContain('**Context budget:** 8500 tokens');
    expect(md).not.toContain('**Optimizations**');
    expect(md.length).toBeLessThan(3000);
  });
});
