import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handoffSchema } from '../domain/handoff.js';
import { type PlanInput, planSchema } from '../domain/plan.js';
import type { TaskResult } from '../domain/task-result.js';
import { openHub } from '../hub/index.js';
import {
  buildCompletionHandoff,
  type CompletionHandoffInput,
  classifyNote,
  dependentsOf,
  gitFileReader,
  storeCompletionHandoff,
} from './handoff.js';

const plan = planSchema.parse({
  version: 1,
  goal: 'Real-time collaboration',
  architecture: {
    decisions: [{ id: 'transport', decision: 'WebSocket via ws', rationale: 'bidirectional' }],
    constraints: ['Optimistic UI with rollback'],
    excludedDependencies: ['socket.io'],
  },
  contracts: [
    { id: 'WsEvents', kind: 'typescript', owner: 'backend', definition: 'export type WsEvent = string;' },
  ],
  tasks: [
    {
      id: 'backend',
      title: 'WebSocket server',
      agent: 'backend-specialist',
      owns: ['src/server/**', 'package.json'],
      provides: ['WsEvents'],
    },
    {
      id: 'frontend',
      title: 'React client',
      agent: 'frontend-specialist',
      owns: ['src/web/**'],
      dependsOn: ['backend'],
      consumes: ['WsEvents'],
      reads: ['src/server/events.ts'],
    },
    { id: 'tests', title: 'Tests', agent: 'test-specialist', owns: ['test/**'], dependsOn: ['backend'] },
  ],
} satisfies PlanInput);
const backend = plan.tasks[0]!;

const result: TaskResult = {
  summary: 'WebSocket server with\noperations and presence',
  contracts: [
    { id: 'WsEvents', definition: "export type WsEvent =\n  'connection' | 'message' | 'disconnect';" },
  ],
  testRequirements: [
    'Concurrent operation ordering',
    'Reconnection with state recovery',
    'Concurrent operation ordering',
  ],
  dependenciesNeeded: ['uuid@9.0.0', 'ws@^8.0.0'],
  notes: [
    'Operations must be applied in timestamp order',
    'Batch operations every 100ms',
    'Max 1000 operations per document in memory',
    'limitation: presence is per process',
    'The server listens on PORT',
  ],
};

const branchFiles: Record<string, string> = {
  'src/server/events.ts':
    "export type WsEvent = 'connection' | 'message' | 'disconnect';\nexport function send(e: WsEvent): void { console.log(e); }\nconst hidden = 1;\n",
  'src/server/events.test.ts': 'export const notAnInterface = 1;\n',
  'src/server/README.md': 'docs\n',
  'package.json': JSON.stringify({
    name: 'app',
    dependencies: { ws: '^8.0.0', zod: '^4.0.0' },
    devDependencies: { vitest: '^4.0.0' },
  }),
};
const baseFiles: Record<string, string> = {
  'package.json': JSON.stringify({
    name: 'app',
    dependencies: { zod: '^3.0.0' },
    devDependencies: { vitest: '^4.0.0' },
  }),
  'src/server/old.ts': 'export const old = 1;\n',
};

/** Overrides; an `undefined` value removes the default (exactOptionalPropertyTypes). */
type Over = { [K in keyof CompletionHandoffInput]?: CompletionHandoffInput[K] | undefined };
const input = (over: Over = {}): CompletionHandoffInput => {
  const out: Record<string, unknown> = {
    task: backend,
    plan,
    agentName: 'backend-specialist',
    result,
    changes: [
      { path: 'src/server/events.ts', status: 'A' },
      { path: 'src/server/events.test.ts', status: 'A' },
      { path: 'src/server/README.md', status: 'A' },
      { path: 'package.json', status: 'M' },
      { path: 'src/server/old.ts', status: 'D' },
    ],
    readFile: (p: string) => branchFiles[p],
    readBaseFile: (p: string) => baseFiles[p],
    availableContextBudget: 8500,
    now: () => new Date('2026-11-25T10:30:00Z'),
    ...over,
  };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out as unknown as CompletionHandoffInput;
};

describe('buildCompletionHandoff', () => {
  it('builds the article’s envelope from the result and the real diff', async () => {
    const h = await buildCompletionHandoff(input());
    expect(handoffSchema.parse(h)).toEqual(h);
    expect(h.from).toBe('backend (backend-specialist)');
    expect(h.to).toBe('frontend, tests');
    expect(h.timestamp).toBe('2026-11-25T10:30:00.000Z');
    expect(h.artifacts.interfaces).toEqual([
      'src/server/events.ts: export type WsEvent = "connection" | "message" | "disconnect";',
      'src/server/events.ts: export function send(e: WsEvent): void;',
      "contract WsEvents: export type WsEvent = 'connection' | 'message' | 'disconnect';",
    ]);
    expect(h.artifacts.implementationNotes).toEqual({
      critical: [
        'Deleted: src/server/old.ts (do not import them)',
        'Added: src/server/README.md, src/server/events.test.ts, src/server/events.ts',
        'Modified: package.json',
        'Operations must be applied in timestamp order',
        'The server listens on PORT',
      ],
      optimization: ['Batch operations every 100ms'],
      limitation: [
        'Max 1000 operations per document in memory',
        'presence is per process',
        'Needs package uuid@9.0.0, not added by this task (this task owns package.json)',
      ],
    });
    expect(h.artifacts.dependencies).toEqual(['ws@^8.0.0', 'zod@^4.0.0 (was ^3.0.0)']);
    expect(h.artifacts.testRequirements).toEqual([
      'Concurrent operation ordering',
      'Reconnection with state recovery',
    ]);
    expect(h.nextAgentContext).toEqual({
      focus:
        'Task backend "WebSocket server" is done: WebSocket server with operations and presence. frontend consumes contracts WsEvents and files src/server/events.ts.',
      constraints: ['Decisions transport apply (see the architecture)'],
      availableContextBudget: 8500,
    });
  });

  it('is deterministic whatever the order of the changes', async () => {
    const changes = input().changes;
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray([...changes], { minLength: changes.length }), async (shuffled) => {
        expect(await buildCompletionHandoff(input({ changes: shuffled }))).toEqual(
          await buildCompletionHandoff(input()),
        );
      }),
      { numRuns: 20 },
    );
  });

  it('works without a result: diff facts only, and names a provided contract missing from the result', async () => {
    const none = await buildCompletionHandoff(
      input({ result: undefined, dependents: [], availableContextBudget: undefined }),
    );
    expect(none.to).toBe('dependents');
    expect(none.artifacts.testRequirements).toEqual([]);
    expect(none.nextAgentContext.focus).toBe(
      'Task backend "WebSocket server" is done. Build on its contracts WsEvents.',
    );
    expect(none.nextAgentContext).not.toHaveProperty('availableContextBudget');
    const partial = await buildCompletionHandoff(input({ result: { ...result, contracts: [] } }));
    expect(partial.artifacts.implementationNotes.limitation).toContain(
      'Provides contract WsEvents per the plan, but its result did not declare it',
    );
  });

  it('reads dependencies of an added, nested or invalid package.json and flags excluded ones', async () => {
    const files: Record<string, string> = {
      'packages/web/package.json': JSON.stringify({
        dependencies: { 'socket.io': '^4' },
        peerDependencies: { react: '^19' },
      }),
      'package.json': '{ not json',
    };
    const h = await buildCompletionHandoff(
      input({
        result: undefined,
        changes: [
          { path: 'packages/web/package.json', status: 'A' },
          { path: 'package.json', status: 'M' },
        ],
        readFile: (p) => files[p],
      }),
    );
    expect(h.artifacts.dependencies).toEqual([
      'packages/web: socket.io@^4',
      'packages/web: react@^19 (peer)',
    ]);
    expect(h.artifacts.implementationNotes.critical).toContain(
      'Adds socket.io, which the plan excludes: the integration validator will flag it',
    );
    expect(h.artifacts.implementationNotes.limitation).toContain(
      'package.json is not valid JSON on the task branch',
    );
    const noBase = await buildCompletionHandoff(input({ readBaseFile: undefined }));
    expect(noBase.artifacts.dependencies).toEqual([]);
    expect(noBase.artifacts.implementationNotes.limitation).toContain(
      'package.json changed, but its dependencies were not compared with the base',
    );
  });

  it('names renames and survives an unreadable file', async () => {
    const h = await buildCompletionHandoff(
      input({
        result: undefined,
        changes: [
          { path: 'src/server/new.ts', status: 'R100', from: 'src/server/old.ts' },
          { path: 'src/server/broken.ts', status: 'A' },
        ],
        readFile: (p) => {
          if (p === 'src/server/broken.ts') throw new Error('EIO');
          return 'export const renamed = 1;\n';
        },
      }),
    );
    expect(h.artifacts.implementationNotes.critical).toEqual([
      'Renamed: src/server/old.ts → src/server/new.ts (import the new paths)',
      'Added: src/server/broken.ts',
    ]);
    expect(h.artifacts.interfaces).toEqual(['src/server/new.ts: export const renamed = 1;']);
  });
});

describe('classifyNote', () => {
  it.each([
    ['Operations must be applied in timestamp order', 'critical'],
    ['Batch operations every 100ms', 'optimization'],
    ['Responses are cached for 5 s', 'optimization'],
    ['Max 1000 operations per document in memory', 'limitation'],
    ['Retries are not implemented yet', 'limitation'],
    ['optimization: nothing special', 'optimization'],
    ['CRITICAL: never block the loop', 'critical'],
  ] as const)('%s → %s', (note, kind) => {
    expect(classifyNote(note).kind).toBe(kind);
  });
});

describe('helpers', () => {
  it('dependentsOf follows dependsOn in plan order', () => {
    expect(dependentsOf(plan, 'backend')).toEqual(['frontend', 'tests']);
    expect(dependentsOf(plan, 'tests')).toEqual([]);
  });

  it('gitFileReader reads a file at a revision, undefined when absent', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-handoff-'));
    try {
      const git = (...args: string[]) =>
        execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
          cwd: dir,
          stdio: 'pipe',
        });
      git('init', '-q', '-b', 'main');
      writeFileSync(path.join(dir, 'package.json'), '{"dependencies":{}}\n');
      git('add', 'package.json');
      git('commit', '-q', '-m', 'one');
      writeFileSync(path.join(dir, 'package.json'), '{"dependencies":{"ws":"^8"}}\n');
      git('commit', '-q', '-am', 'two');
      expect(await gitFileReader({ cwd: dir, ref: 'HEAD~1' })('package.json')).toBe('{"dependencies":{}}\n');
      expect(await gitFileReader({ cwd: dir, ref: 'HEAD' })('package.json')).toContain('ws');
      expect(await gitFileReader({ cwd: dir, ref: 'HEAD' })('nope.ts')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('storeCompletionHandoff puts the handoff and logs a handoff event', async () => {
    const hub = openHub({ path: ':memory:' });
    try {
      hub.runs.create({ id: 'r1', goal: plan.goal, repo: '/repo', plan });
      const h = await buildCompletionHandoff(input());
      storeCompletionHandoff(hub, 'r1', 'backend', h);
      expect(hub.handoffs.latest('r1', 'backend')).toEqual(h);
      expect(hub.events.list({ runId: 'r1', type: 'handoff' })).toMatchObject([
        { taskId: 'backend', from: 'backend (backend-specialist)', to: 'frontend, tests' },
      ]);
    } finally {
      hub.close();
    }
  });

  it('classifies notes by their words, not their paths; names a missing file as its owner task', async () => {
    expect(classifyNote('BLOCKED, outside my ownership: src/index.ts must register the rule').kind).toBe(
      'critical',
    );
    expect(classifyNote('Rules are looked up in src/rules/index.ts').kind).toBe('critical');
    expect(classifyNote('Cache the parsed config between runs').kind).toBe('optimization');
    const h = await buildCompletionHandoff(
      input({
        result: { ...result, dependenciesNeeded: ['src/web/api.ts', 'src/nowhere/x.ts'] },
      }),
    );
    expect(h.artifacts.implementationNotes.limitation).toEqual(
      expect.arrayContaining([
        'Needs src/web/api.ts, which task frontend provides (not there yet when this task ran)',
        'Needs src/nowhere/x.ts, which no task of the plan owns',
      ]),
    );
    expect(JSON.stringify(h)).not.toContain('package.json)');
  });

  it('a fix round adds to the first handoff instead of replacing it', async () => {
    const hub = openHub({ path: ':memory:' });
    try {
      hub.runs.create({ id: 'r1', goal: plan.goal, repo: '/repo', plan });
      storeCompletionHandoff(hub, 'r1', 'backend', await buildCompletionHandoff(input()));
      const fix = await buildCompletionHandoff(
        input({
          result: {
            ...result,
            summary: 'renamed user_id to userId',
            notes: ['Rename done'],
            testRequirements: [],
          },
        }),
      );
      storeCompletionHandoff(hub, 'r1', 'backend', fix);
      const h = hub.handoffs.latest('r1', 'backend');
      expect(h?.nextAgentContext.focus).toContain('is done: WebSocket server with operations and presence.');
      expect(h?.nextAgentContext.focus).toContain('Then fixed: renamed user_id to userId.');
      expect(h?.artifacts.implementationNotes.critical).toEqual(
        expect.arrayContaining(['Operations must be applied in timestamp order', 'Rename done']),
      );
      expect(h?.artifacts.testRequirements).toEqual([
        'Concurrent operation ordering',
        'Reconnection with state recovery',
      ]);
    } finally {
      hub.close();
    }
  });
});

/** The live-model trial on unjs/ufo (docs/trials/2026-12-02-ufo-url-patterns.md): its exact inputs. */
describe('handoffs of the ufo trial', () => {
  const ufo = planSchema.parse({
    version: 1,
    goal: 'ufo gains URL patterns',
    contracts: [
      {
        id: 'pattern-api',
        kind: 'typescript',
        owner: 'pattern',
        definition: 'export declare function compilePattern(pattern: string): PatternSegment[];',
      },
    ],
    tasks: [
      {
        id: 'pattern',
        title: 'Add compilePattern in src/pattern.ts',
        agent: 'types-specialist',
        owns: ['src/pattern.ts', 'test/pattern.test.ts'],
        provides: ['pattern-api'],
      },
      {
        id: 'build',
        title: 'Add buildURL in src/build.ts',
        agent: 'backend-specialist',
        owns: ['src/build.ts', 'test/build.test.ts'],
        reads: ['src/pattern.ts'],
        dependsOn: ['pattern'],
        consumes: ['pattern-api'],
      },
      {
        id: 'match',
        title: 'Add matchURL in src/match.ts',
        agent: 'backend-specialist',
        owns: ['src/match.ts', 'test/match.test.ts'],
        reads: ['src/pattern.ts'],
        dependsOn: ['pattern'],
      },
      {
        id: 'exports-docs',
        title: 'Export the pattern API from src/index.ts and document it in README.md',
        agent: 'backend-specialist',
        owns: ['src/index.ts', 'README.md'],
        reads: ['src/build.ts', 'src/match.ts'],
        dependsOn: ['build', 'match'],
      },
    ],
  } satisfies PlanInput);
  const task = (id: string) => ufo.tasks.find((t) => t.id === id)!;
  const ufoInput = (
    id: string,
    r: Partial<TaskResult>,
    files: Record<string, string>,
  ): CompletionHandoffInput => ({
    task: task(id),
    plan: ufo,
    agentName: task(id).agent,
    result: { summary: '', contracts: [], testRequirements: [], dependenciesNeeded: [], notes: [], ...r },
    changes: Object.keys(files).map((p) => ({ path: p, status: 'A' })),
    readFile: (p) => files[p],
  });

  it('a summary that ends with its own period is not followed by another ("all pass..")', async () => {
    const summary =
      "Added src/pattern.ts with the PatternSegment union, the PatternParams type and compilePattern(pattern), which splits on '/', drops empty segments, turns ':name' into param segments, a final '*' into a wildcard and everything else into static segments; it throws a TypeError naming the pattern for invalid param names, duplicate param names and a '*' that is not last. JSDoc uses @group pattern_utils with an example. Added test/pattern.test.ts (17 tests). vitest, tsc --noEmit, eslint and prettier all pass.";
    const h = await buildCompletionHandoff(
      ufoInput('pattern', { summary }, { 'src/pattern.ts': 'export const x = 1;\n' }),
    );
    expect(h.nextAgentContext.focus).not.toContain('..');
    expect(h.nextAgentContext.focus).toContain(
      'eslint and prettier all pass. build consumes contracts pattern-api and files src/pattern.ts; match consumes files src/pattern.ts.',
    );
    // Without a summary the sentence still ends once.
    const bare = await buildCompletionHandoff(ufoInput('pattern', {}, {}));
    expect(bare.nextAgentContext.focus).toMatch(/is done\. build consumes/);
  });

  it('declarations are signatures: a default value becomes an optional parameter', async () => {
    const source = readFileSync(
      path.join(import.meta.dirname, 'fixtures', 'ufo-trial', 'build.ts.txt'),
      'utf8',
    );
    expect(source).toContain('params: Record<string, string | number> = {},');
    const h = await buildCompletionHandoff(ufoInput('build', {}, { 'src/build.ts': source }));
    expect(h.artifacts.interfaces).toEqual([
      'src/build.ts: export function buildURL(pattern: string | PatternSegment[], params?: Record<string, string | number>): string;',
    ]);
    expect(JSON.stringify(h.artifacts.interfaces)).not.toContain('= {}');
  });

  it('a need written as a sentence is kept as written, not split as a file path (")., which")', async () => {
    const need =
      'A writable node_modules for the validator/worktrees (vitest --typecheck writes a temp tsbuildinfo into node_modules/vitest/dist).';
    const h = await buildCompletionHandoff(
      ufoInput('match', { summary: 'No code change.', dependenciesNeeded: [need, 'src/build.ts.'] }, {}),
    );
    expect(h.artifacts.implementationNotes.limitation).toEqual([
      `Needs: ${need}`,
      'Needs src/build.ts, which task build provides (not there yet when this task ran)',
    ]);
    const text = JSON.stringify(h);
    expect(text).not.toContain(').,');
    expect(text).not.toContain('Needs A writable');
  });
});
