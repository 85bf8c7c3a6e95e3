import { afterEach, describe, expect, it } from 'vitest';
import { taskHeader } from '../executor/claude-code-prompt.js';
import { type ModelServer, startModelServer } from './model-server.js';
import { type Scenario, scenario } from './scenario.js';

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close({ verify: false });
  server = undefined;
});

const start = async (s: Scenario) => {
  server = await startModelServer(s);
  return server;
};

const system = (taskId: string, agent: string) => [
  { type: 'text', text: 'You are a Claude agent, built on Anthropic’s Claude Agent SDK.' },
  { type: 'text', text: `${taskHeader({ taskId, agent, runId: 'r1' })}\n\nbody` },
];

function body(options: { system?: unknown; messages: unknown[]; stream?: boolean; extra?: object }) {
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 32000,
    stream: options.stream ?? false,
    system: options.system ?? 'plain system',
    tools: [{ name: 'Write' }],
    messages: options.messages,
    ...options.extra,
  };
}

async function post(s: ModelServer, b: unknown) {
  const res = await fetch(`${s.url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(b),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const user = (text: string) => ({ role: 'user', content: [{ type: 'text', text }] });

function sseEvents(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((chunk) =>
      JSON.parse(
        chunk
          .split('\n')
          .find((l) => l.startsWith('data: '))!
          .slice(6),
      ),
    );
}

describe('startModelServer', () => {
  it('streams a tool call in the SSE sequence the binary expects, with the scripted usage', async () => {
    const s = await start(
      scenario()
        .on({ text: 'write it' })
        .write('a.txt', 'A')
        .usage({ input: 1200, output: 34, cacheCreation: 5, cacheRead: 7 })
        .text('done'),
    );
    const r = await post(s, body({ stream: true, messages: [user('please write it')] }));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    const events = sseEvents(r.text);
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const start0 = events[0] as { message: { usage: Record<string, number> } };
    expect(start0.message.usage).toMatchObject({
      input_tokens: 1200,
      cache_creation_input_tokens: 5,
      cache_read_input_tokens: 7,
    });
    expect(events[1]).toMatchObject({ content_block: { type: 'tool_use', name: 'Write', input: {} } });
    const delta = events[2] as { delta: { type: string; partial_json: string } };
    expect(delta.delta.type).toBe('input_json_delta');
    expect(JSON.parse(delta.delta.partial_json)).toEqual({ file_path: 'a.txt', content: 'A' });
    expect(events[4]).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 34 } });
    expect(() => s.assertAllConsumed()).toThrow(/turn 1 \(text\) never requested/);
  });

  it('answers plain JSON when stream is false and serves the next turn after the tool results', async () => {
    const s = await start(scenario().on({}).bash('ls').text('all done'));
    const first = JSON.parse((await post(s, body({ messages: [user('go')] }))).text);
    expect(first).toMatchObject({ type: 'message', stop_reason: 'tool_use', content: [{ name: 'Bash' }] });
    const toolUseId = first.content[0].id as string;
    const second = JSON.parse(
      (
        await post(
          s,
          body({
            messages: [
              user('go'),
              { role: 'assistant', content: first.content },
              { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUseId, content: 'x' }] },
            ],
          }),
        )
      ).text,
    );
    expect(second).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text', text: 'all done' }] });
    expect(s.requests).toHaveLength(2);
    expect(() => s.assertAllConsumed()).not.toThrow();
  });

  it('replays the previous answer when the same request comes again instead of skipping a turn', async () => {
    const s = await start(scenario().on({}).text('one').text('two'));
    const a = JSON.parse((await post(s, body({ messages: [user('go')] }))).text);
    const b = JSON.parse((await post(s, body({ messages: [user('go')] }))).text);
    expect(b.content).toEqual(a.content);
    expect(() => s.assertAllConsumed()).toThrow(/turn 1/);
  });

  it('routes conversations by task header and agent, each bound to its own block', async () => {
    const s = await start(
      scenario().on({ taskId: 'T1' }).text('for T1').on({ agent: 'backend-specialist' }).text('for backend'),
    );
    // T2's packet mentions T1, but only the header line counts.
    const backend = await post(
      s,
      body({ system: system('T2', 'backend-specialist'), messages: [user('depends on T1')] }),
    );
    const t1 = await post(s, body({ system: system('T1', 'frontend'), messages: [user('go')] }));
    expect(JSON.parse(backend.text).content[0].text).toBe('for backend');
    expect(JSON.parse(t1.text).content[0].text).toBe('for T1');
    await expect(s.close()).resolves.toBeUndefined();
    server = undefined;
  });

  it('reports the scripted model name, per block or per turn', async () => {
    const s = await start(
      scenario().on({}, { model: 'claude-opus-4-1' }).text('a').text('b').model('claude-haiku-4-5'),
    );
    const a = JSON.parse((await post(s, body({ messages: [user('go')] }))).text);
    const b = JSON.parse(
      (await post(s, body({ messages: [user('go'), { role: 'assistant', content: 'a' }, user('more')] })))
        .text,
    );
    expect([a.model, b.model]).toEqual(['claude-opus-4-1', 'claude-haiku-4-5']);
  });

  it('gives two conversations with the same matcher two different blocks', async () => {
    const s = await start(scenario().on({ text: 'job' }).text('first').on({ text: 'job' }).text('second'));
    const a = JSON.parse((await post(s, body({ messages: [user('job A')] }))).text);
    const b = JSON.parse((await post(s, body({ messages: [user('job B')] }))).text);
    expect([a.content[0].text, b.content[0].text]).toEqual(['first', 'second']);
  });

  it('serves scripted API errors with retry-after, then the next turn', async () => {
    const s = await start(scenario().on({}).error(529, { retryAfterS: 2 }).error(429).text('ok'));
    const e1 = await post(s, body({ messages: [user('go')] }));
    expect(e1.status).toBe(529);
    expect(e1.headers.get('retry-after')).toBe('2');
    expect(JSON.parse(e1.text)).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    const e2 = await post(s, body({ messages: [user('go')] }));
    expect(e2.status).toBe(429);
    expect(JSON.parse(e2.text).error.type).toBe('rate_limit_error');
    const ok = await post(s, body({ messages: [user('go')] }));
    expect(JSON.parse(ok.text).content[0].text).toBe('ok');
  });

  it('fails loudly on a request no block matches: HTTP 400 the binary surfaces, and close() throws', async () => {
    const s = await start(scenario().on({ taskId: 'T1' }).text('x'));
    const r = await post(s, body({ messages: [user('something else')] }));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error.message).toMatch(/no block matches/);
    expect(s.failures).toHaveLength(1);
    await expect(s.close()).rejects.toThrow(/no block matches[\s\S]*never requested/);
    server = undefined;
  });

  it('answers the title side request itself without consuming a scripted turn', async () => {
    const s = await start(scenario().on({ text: 'write it' }).text('real'));
    const title = await post(
      s,
      body({
        messages: [user('<session>\nplease write it\n</session>')],
        extra: {
          tools: [],
          output_config: {
            format: { type: 'json_schema', schema: { properties: { title: { type: 'string' } } } },
          },
        },
      }),
    );
    expect(JSON.parse(JSON.parse(title.text).content[0].text)).toEqual({ title: 'Scripted session' });
    expect(s.requests[0]?.served).toMatchObject({ kind: 'side', label: 'title' });
    const real = await post(s, body({ messages: [user('please write it')] }));
    expect(JSON.parse(real.text).content[0].text).toBe('real');
  });

  it('answers HEAD probes and count_tokens, and records every request', async () => {
    const s = await start(scenario());
    expect((await fetch(`${s.url}/`, { method: 'HEAD' })).status).toBe(200);
    const ct = await fetch(`${s.url}/v1/messages/count_tokens?beta=true`, {
      method: 'POST',
      body: JSON.stringify(body({ messages: [user('count me')] })),
    });
    expect(((await ct.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
    expect(s.requests.map((r) => r.method)).toEqual(['HEAD', 'POST']);
  });

  it('holds a hung turn open until close, and waitFor sees it', async () => {
    const s = await start(scenario().on({}).hang());
    const pending = post(s, body({ messages: [user('go')] })).catch((e: unknown) => e);
    const hung = await s.waitFor((r) => r.served?.label === 'hang');
    expect(hung.path).toBe('/v1/messages?beta=true');
    await s.close();
    server = undefined;
    expect(await pending).toBeInstanceOf(Error);
  });
});
