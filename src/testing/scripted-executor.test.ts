import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../domain/event.js';
import type { ExecutionRequest } from '../executor/executor.js';
import { describeExecutorConformance } from './conformance.js';
import { scenario } from './scenario.js';
import { createScriptedExecutor } from './scripted-executor.js';

describeExecutorConformance({
  name: 'scripted',
  harness: {
    create: async (scenario, { timers, hungAfterMs }) => {
      const executor = createScriptedExecutor({ scenario, timers, hungAfterMs });
      return { executor, hanging: () => executor.hanging(), close: async () => {} };
    },
  },
  test: { describe, it, expect, afterEach },
});

describe('ScriptedExecutor specifics', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const request = (cwd: string): ExecutionRequest => ({
    runId: 'r',
    taskId: 'S1',
    agent: { name: 'dev', description: 'd', prompt: 'p', source: { scope: 'builtin', path: '<t>' } },
    packet: '',
    prompt: 'go',
    cwd,
    owns: ['src/**'],
  });
  const cwd = () => {
    const d = realpathSync(mkdtempSync(path.join(tmpdir(), 'orchestra-scripted-')));
    dirs.push(d);
    return d;
  };

  it('really runs Read, Edit and Bash in cwd, and reports a failing tool', async () => {
    const dir = cwd();
    const s = scenario()
      .on({ taskId: 'S1' })
      .write('src/a.ts', 'const a = 1;\n')
      .read('src/a.ts')
      .edit('src/a.ts', 'a = 1', 'a = 2')
      .bash('cat src/a.ts > src/copy.ts && exit 3')
      .structured({ summary: 'ok' });
    const events: EventPayload[] = [];
    const outcome = await createScriptedExecutor({ scenario: s }).start(request(dir), {
      onEvent: (e) => events.push(e),
    }).outcome;
    expect(outcome.status).toBe('succeeded');
    expect(readFileSync(path.join(dir, 'src/a.ts'), 'utf8')).toBe('const a = 2;\n');
    expect(readFileSync(path.join(dir, 'src/copy.ts'), 'utf8')).toBe('const a = 2;\n');
    expect(events.filter((e) => e.type === 'file.changed')).toHaveLength(2);
    expect(events).toContainEqual(expect.objectContaining({ type: 'tool.failed', tool: 'Bash' }));
    expect(outcome.filesChanged).toEqual(['src/a.ts']);
  });

  it('fails a request no block matches, and an API error beyond the retries', async () => {
    const unmatched = await createScriptedExecutor({
      scenario: scenario().on({ taskId: 'other' }).text('x'),
    }).start(request(cwd())).outcome;
    expect(unmatched).toMatchObject({ status: 'failed', reason: expect.stringMatching(/no block matches/) });
    const errors = await createScriptedExecutor({
      scenario: scenario().on({}).error(500, { times: 3 }),
      maxRetries: 2,
    }).start(request(cwd())).outcome;
    expect(errors).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^api_error: 500/) });
  });

  it('serves each start its own block even when two starts look the same', async () => {
    const ex = createScriptedExecutor({
      scenario: scenario()
        .on({ taskId: 'S1' })
        .structured({ summary: 'first' })
        .on({ taskId: 'S1' })
        .structured({ summary: 'second' }),
    });
    const a = await ex.start(request(cwd())).outcome;
    const b = await ex.start(request(cwd())).outcome;
    expect([a.result?.summary, b.result?.summary]).toEqual(['first', 'second']);
  });
});
