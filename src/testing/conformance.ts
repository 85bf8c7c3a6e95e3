import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AgentDefinition, EventPayload } from '../domain/index.js';
import type { ExecutionRequest, Executor, Timers } from '../executor/index.js';
import { manualTimers } from './manual-timers.js';
import { type Scenario, scenario } from './scenario.js';

/** What the suite needs from an implementation: an executor that plays a scenario. */
export interface ConformanceHarness {
  /** Build an executor whose "model" plays `scenario`, with these timers for hung detection. */
  create(
    scenario: Scenario,
    options: { timers: Timers; hungAfterMs: number },
  ): Promise<{ executor: Executor; hanging(): Promise<void>; close(): Promise<void> }>;
}

const done = { summary: 'done', contracts: [{ id: 'api', definition: 'export type Api = 1' }] };
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const agent: AgentDefinition = {
  name: 'conformance-agent',
  description: 'plays conformance scenarios',
  tools: ['Read', 'Write', 'Edit', 'Bash'],
  prompt: 'You are a specialist under test.',
  source: { scope: 'builtin', path: '<conformance>' },
};

/** The assertions the suite makes (vitest's and Jest's `expect` both fit). */
export interface ConformanceMatchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatchObject(expected: object): void;
  toMatch(expected: RegExp | string): void;
  toContain(expected: unknown): void;
  toContainEqual(expected: unknown): void;
  toHaveLength(length: number): void;
  toBeGreaterThan(n: number): void;
}

/**
 * The test framework the suite registers its cases with. Passed in, so product code never imports a
 * test runner: `{ describe, it, expect, afterEach }` from vitest.
 */
export interface ConformanceTestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>): void;
  afterEach(body: () => Promise<void>): void;
  expect(actual: unknown): ConformanceMatchers;
}

/** Settings of `describeExecutorConformance`. */
export interface ExecutorConformanceSettings {
  /** Names the suite: `Executor v1 conformance: <name>`. */
  name: string;
  harness: ConformanceHarness;
  test: ConformanceTestApi;
}

/**
 * The Executor v1 conformance suite (one suite, every implementation — cf. Hono's router cases).
 * Call inside a test file: `describeExecutorConformance({ name: 'mine', harness, test: { describe, it, expect, afterEach } })`.
 */
export function describeExecutorConformance({ name, harness, test }: ExecutorConformanceSettings): void {
  const { describe, it, expect, afterEach } = test;
  describe(`Executor v1 conformance: ${name}`, () => {
    let cleanup: Array<() => Promise<void> | void> = [];
    afterEach(async () => {
      for (const c of cleanup.reverse()) await c();
      cleanup = [];
    });

    const setup = async (s: Scenario) => {
      const timers = manualTimers();
      const h = await harness.create(s, { timers, hungAfterMs: 60_000 });
      cleanup.push(() => h.close());
      const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'orchestra-conf-')));
      cleanup.push(() => rmSync(root, { recursive: true, force: true }));
      const cwd = path.join(root, 'wt');
      mkdirSync(path.join(cwd, 'src/api'), { recursive: true });
      writeFileSync(path.join(cwd, 'README.md'), '# wt\n');
      execFileSync('git', ['init', '-q'], { cwd });
      const request: ExecutionRequest = {
        runId: 'run-conf',
        taskId: 'C1',
        agent,
        packet: 'conformance packet',
        prompt: 'Do the conformance task.',
        cwd,
        owns: ['src/api/**'],
        ownerOf: (p) => (p.startsWith('src/web/') ? 'C2' : undefined),
        maxTurns: 8,
      };
      const run = async (over: Partial<ExecutionRequest> = {}) => {
        const events: EventPayload[] = [];
        const outcome = await h.executor.start({ ...request, ...over }, { onEvent: (e) => events.push(e) })
          .outcome;
        return { outcome, events };
      };
      return { ...h, timers, root, cwd, request, run };
    };

    it('declares spec v1 and a name', async () => {
      const t = await setup(scenario());
      expect(t.executor.specVersion).toBe('v1');
      expect(t.executor.name.length).toBeGreaterThan(0);
    });

    it('lands an owned write, hashes it, reports per-turn usage and parses the result', async () => {
      const t = await setup(
        scenario()
          .on({ taskId: 'C1' })
          .write('src/api/a.ts', 'export const a = 1;\n')
          .usage({ input: 900, output: 30, cacheCreation: 10, cacheRead: 20 })
          .structured(done)
          .usage({ input: 950, output: 12, cacheCreation: 0, cacheRead: 880 }),
      );
      const { outcome, events } = await t.run();
      expect(outcome.status).toBe('succeeded');
      expect(outcome.result?.summary).toBe('done');
      expect(outcome.result?.contracts).toEqual(done.contracts);
      expect(readFileSync(path.join(t.cwd, 'src/api/a.ts'), 'utf8')).toBe('export const a = 1;\n');
      expect(events).toContainEqual({
        type: 'file.changed',
        path: 'src/api/a.ts',
        sha256: sha('export const a = 1;\n'),
      });
      expect(outcome.filesChanged).toEqual(['src/api/a.ts']);
      expect(events.flatMap((e) => (e.type === 'usage' ? [e.usage] : []))).toEqual([
        { inputTokens: 900, outputTokens: 30, cacheCreationInputTokens: 10, cacheReadInputTokens: 20 },
        { inputTokens: 950, outputTokens: 12, cacheCreationInputTokens: 0, cacheReadInputTokens: 880 },
      ]);
      expect(outcome.usage).toEqual({
        inputTokens: 1850,
        outputTokens: 42,
        cacheCreationInputTokens: 10,
        cacheReadInputTokens: 900,
      });
    });

    it('denies writes outside ownership, records them, and leaves no file', async () => {
      const t = await setup(
        scenario()
          .on({ taskId: 'C1' })
          .write('src/web/x.ts', 'x')
          .write('../escape.txt', 'e')
          .structured(done),
      );
      const { outcome, events } = await t.run();
      expect(outcome.status).toBe('succeeded');
      expect(existsSync(path.join(t.cwd, 'src/web/x.ts'))).toBe(false);
      expect(existsSync(path.join(t.root, 'escape.txt'))).toBe(false);
      expect(events.filter((e) => e.type === 'tool.denied')).toHaveLength(2);
      expect(outcome.denials).toHaveLength(2);
      expect(outcome.denials[0]).toMatchObject({ tool: 'Write', path: 'src/web/x.ts' });
      expect(outcome.denials[0]?.reason).toMatch(/C2/);
    });

    it('retries an API error and records the retry', async () => {
      const t = await setup(scenario().on({ taskId: 'C1' }).error(429).structured(done));
      const { outcome, events } = await t.run();
      expect(outcome.status).toBe('succeeded');
      expect(
        events.filter((e) => e.type === 'api.retry').map((e) => e.type === 'api.retry' && e.status),
      ).toEqual([429]);
    });

    it('ends at max turns with the reason', async () => {
      const t = await setup(scenario().on({ taskId: 'C1' }).write('src/api/a.ts', 'a'));
      const { outcome } = await t.run({ maxTurns: 1 });
      expect(outcome.status).toBe('failed');
      expect(outcome.reason).toMatch(/^max_turns/);
    });

    it('fails a run that ends without its structured result', async () => {
      const t = await setup(scenario().on({ taskId: 'C1' }).text('done').text('really done'));
      const { outcome } = await t.run();
      expect(outcome.status).toBe('failed');
      expect(outcome.reason).toMatch(/^no_result/);
    });

    it('terminates on request, keeping the work done so far, and the event stream ends', async () => {
      const t = await setup(scenario().on({ taskId: 'C1' }).write('src/api/kept.ts', 'kept').hang());
      const execution = t.executor.start(t.request);
      await t.hanging();
      await execution.terminate('terminated: test');
      const outcome = await execution.outcome;
      expect(outcome).toMatchObject({ status: 'terminated', reason: 'terminated: test' });
      expect(readFileSync(path.join(t.cwd, 'src/api/kept.ts'), 'utf8')).toBe('kept');
      const types: string[] = [];
      for await (const e of execution.events) types.push(e.type);
      expect(types).toContain('file.changed');
    });

    it('reports a silent run as hung when its watchdog fires', async () => {
      const t = await setup(scenario().on({ taskId: 'C1' }).hang());
      const execution = t.executor.start(t.request);
      await t.hanging();
      expect(t.timers.pending).toBeGreaterThan(0);
      t.timers.fireAll();
      const outcome = await execution.outcome;
      expect(outcome.status).toBe('hung');
      expect(outcome.reason).toMatch(/^hung: /);
    });
  });
}
