import { describe, expect, it } from 'vitest';
import { resultStatus, StreamMapper, sha256 } from './stream.js';
import { resultMessageSchema } from './stream-messages.js';

// Message shapes as logged from Claude Code 2.1.331 (src/testing/WIRE.md).
const wt = '/nonexistent-worktree';
const files: Record<string, string> = { [`${wt}/src/a.ts`]: 'A\n' };
const mapper = () =>
  new StreamMapper({
    worktree: wt,
    readFile: (p) => (files[p] === undefined ? undefined : new TextEncoder().encode(files[p])),
  });

const se = (event: object) => ({ type: 'stream_event', event, parent_tool_use_id: null, session_id: 's1' });
const start = (id: string, usage: object) =>
  se({ type: 'message_start', message: { id, model: 'claude-sonnet-4-5', usage } });
const assistant = (id: string, content: object[], usage: object = {}, model = 'claude-sonnet-4-5') => ({
  type: 'assistant',
  message: { id, model, content, usage },
  parent_tool_use_id: null,
  session_id: 's1',
});
const toolResult = (id: string, extra: object = {}, result?: unknown) => ({
  type: 'user',
  message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'ok', ...extra }] },
  ...(result === undefined ? {} : { tool_use_result: result }),
});

describe('StreamMapper', () => {
  it('takes per-call usage from the stream events, final output count from message_delta, once per id', () => {
    const m = mapper();
    const events = [
      start('msg_1', {
        input_tokens: 11,
        output_tokens: 1,
        cache_creation_input_tokens: 3,
        cache_read_input_tokens: 5,
      }),
      assistant('msg_1', [{ type: 'text', text: 'hi' }], { input_tokens: 11, output_tokens: 1 }),
      se({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 7 } }),
      se({ type: 'message_stop' }),
      assistant('msg_1', [{ type: 'text', text: 'again' }], { input_tokens: 11, output_tokens: 1 }),
    ].flatMap((x) => m.map(x));
    expect(events).toEqual([
      {
        type: 'usage',
        messageId: 'msg_1',
        model: 'claude-sonnet-4-5',
        usage: { inputTokens: 11, outputTokens: 7, cacheCreationInputTokens: 3, cacheReadInputTokens: 5 },
      },
    ]);
    expect(m.usage.outputTokens).toBe(7);
    expect(m.sessionId).toBe('s1');
  });

  it('falls back to the assistant usage without stream events, and skips synthetic error messages', () => {
    const m = mapper();
    const a = m.map(assistant('msg_2', [], { input_tokens: 5, output_tokens: 2 }));
    const b = m.map(assistant('msg_2', [], { input_tokens: 5, output_tokens: 2 }));
    const c = m.map(assistant('synthetic', [{ type: 'text', text: 'API Error' }], {}, '<synthetic>'));
    expect(a).toHaveLength(1);
    expect(b).toEqual([]);
    expect(c).toEqual([]);
  });

  it('maps tool uses, hashes written files, reports failures but not denials twice', () => {
    const m = mapper();
    const out = [
      assistant('msg_3', [
        { type: 'tool_use', id: 't1', name: 'Write', input: { file_path: 'src/a.ts', content: 'A\n' } },
        { type: 'tool_use', id: 't2', name: 'Bash', input: { command: 'false' } },
        { type: 'tool_use', id: 't3', name: 'Write', input: { file_path: 'src/web/b.ts', content: 'B' } },
      ]),
      toolResult('t1', {}, { type: 'create', filePath: `${wt}/src/a.ts` }),
      toolResult('t2', { is_error: true, content: 'Exit code 1' }),
    ].flatMap((x) => m.map(x));
    expect(m.noteDenial('t3', { tool: 'Write', path: 'src/web/b.ts', reason: 'not yours' })).toBe(true);
    expect(m.noteDenial('t3', { tool: 'Write', path: 'src/web/b.ts', reason: 'not yours' })).toBe(false);
    out.push(...m.map(toolResult('t3', { is_error: true, content: 'not yours' })));
    expect(
      out.filter((e) => e.type === 'tool.used').map((e) => e.type === 'tool.used' && e.toolUseId),
    ).toEqual(['t1', 't2', 't3']);
    // The worktree does not exist here, so the path stays absolute: what matters is the hash.
    expect(out).toContainEqual({
      type: 'file.changed',
      path: `${wt}/src/a.ts`,
      sha256: sha256(new TextEncoder().encode('A\n')),
    });
    expect(out).toContainEqual({ type: 'tool.failed', tool: 'Bash', error: 'Exit code 1', toolUseId: 't2' });
    expect(out.filter((e) => e.type === 'tool.failed')).toHaveLength(1);
    expect(m.denials).toEqual([{ tool: 'Write', path: 'src/web/b.ts', reason: 'not yours' }]);
  });

  it('maps system/api_retry to api.retry and keeps the result with its denials', () => {
    const m = mapper();
    const retry = m.map({
      type: 'system',
      subtype: 'api_retry',
      attempt: 1,
      max_retries: 10,
      retry_delay_ms: 517,
      error_status: 429,
      error: 'rate_limit',
    });
    expect(retry).toEqual([
      { type: 'api.retry', attempt: 1, status: 429, error: 'rate_limit', retryInMs: 517 },
    ]);
    m.map({
      type: 'result',
      subtype: 'success',
      is_error: false,
      num_turns: 2,
      total_cost_usd: 0.01,
      permission_denials: [{ tool_name: 'Edit', tool_use_id: 'x9', tool_input: { file_path: '/etc/hosts' } }],
    });
    expect(m.result?.num_turns).toBe(2);
    expect(m.denials).toEqual([{ tool: 'Edit', path: '/etc/hosts', reason: 'denied by Claude Code' }]);
    expect(m.map({ type: 'something_new' })).toEqual([]);
    expect(m.map(null)).toEqual([]);
  });
});

describe('resultStatus', () => {
  const result = (r: object) =>
    resultMessageSchema.parse({ type: 'result', num_turns: 1, total_cost_usd: 0, ...r });
  it('maps subtypes and terminal reasons to a status and a reason', () => {
    expect(resultStatus(result({ subtype: 'success', is_error: false }))).toEqual({ status: 'succeeded' });
    expect(
      resultStatus(
        result({
          subtype: 'success',
          is_error: true,
          terminal_reason: 'api_error',
          result: 'API Error: 500',
        }),
      ),
    ).toEqual({ status: 'failed', reason: 'api_error: API Error: 500' });
    expect(
      resultStatus(
        result({
          subtype: 'error_max_turns',
          is_error: true,
          errors: ['Reached maximum number of turns (1)'],
        }),
      ),
    ).toEqual({ status: 'failed', reason: 'max_turns: Reached maximum number of turns (1)' });
    expect(resultStatus(result({ subtype: 'error_max_budget_usd', is_error: true }))).toEqual({
      status: 'failed',
      reason: 'max_budget',
    });
    expect(resultStatus(result({ subtype: 'error_during_execution', is_error: true })).reason).toBe(
      'error_during_execution',
    );
  });
});
