import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { query, type SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { type ModelServer, scenario, startModelServer } from '../../src/testing/index.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';

// The scripted server against the real Claude Code binary, with no executor in between.
let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function run(server: ModelServer, prompt: string, extra: Record<string, unknown> = {}) {
  const dir = tempDir();
  cleanup.push(dir.remove);
  const cwd = join(dir.path, 'work');
  mkdirSync(cwd);
  const messages: SDKMessage[] = [];
  const q = query({
    prompt,
    options: {
      cwd,
      env: claudeTestEnv(server.url, dir.path),
      systemPrompt: 'You are scripted.',
      tools: ['Write', 'Read', 'Bash'],
      settingSources: [],
      maxTurns: 5,
      model: 'claude-sonnet-4-5',
      permissionMode: 'acceptEdits',
      ...extra,
    },
  });
  try {
    for await (const m of q) messages.push(m);
  } catch (e) {
    if (!messages.some((m) => m.type === 'result')) throw e;
  }
  return { cwd, messages };
}

describe('scripted model server with the real Claude Code binary', () => {
  it('plays a write, then structured output; the binary writes the file and parses the output', async () => {
    const server = await startModelServer(
      scenario()
        .on({ text: 'make hello' })
        .write('hello.txt', 'hi\n')
        .usage({ input: 321, output: 12, cacheCreation: 4, cacheRead: 9 })
        .structured({ summary: 'wrote hello' }),
    );
    cleanup.push(() => server.close({ verify: false }));
    const { cwd, messages } = await run(server, 'please make hello', {
      outputFormat: {
        type: 'json_schema',
        schema: { type: 'object', properties: { summary: { type: 'string' } } },
      },
    });
    expect(readFileSync(join(cwd, 'hello.txt'), 'utf8')).toBe('hi\n');
    const result = messages.find((m) => m.type === 'result');
    expect(result).toMatchObject({ subtype: 'success', structured_output: { summary: 'wrote hello' } });
    const messageRequests = server.requests.filter((r) => r.path.startsWith('/v1/messages'));
    expect(messageRequests).toHaveLength(2);
    expect(messageRequests[0]?.body).toMatchObject({ stream: true, model: 'claude-sonnet-4-5' });
    server.assertAllConsumed();
  });

  it('surfaces an unmatched request as an API error the run ends with', async () => {
    const server = await startModelServer(scenario().on({ text: 'never sent' }).text('x'));
    cleanup.push(() => server.close({ verify: false }));
    const { cwd, messages } = await run(server, 'something else');
    const result = messages.find((m) => m.type === 'result');
    expect(result).toMatchObject({ is_error: true });
    expect(JSON.stringify(messages)).toMatch(/no block matches/);
    expect(existsSync(join(cwd, 'hello.txt'))).toBe(false);
    expect(() => server.assertAllConsumed()).toThrow(/no block matches/);
  });
});
