import type { ToolCall, TurnUsage } from './scenario.js';

/** An assistant message ready to be sent, in the Messages API shape. */
export interface AssistantMessage {
  id: string;
  model: string;
  content: Array<
    | { type: 'text'; text: string }
    | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  >;
  stopReason: 'end_turn' | 'tool_use';
  usage: TurnUsage;
}

/** Build the assistant message for a text or tool turn. */
export function assistantMessage(options: {
  id: string;
  model: string;
  text?: string;
  calls?: ToolCall[];
  usage: TurnUsage;
  toolUseId: (index: number) => string;
}): AssistantMessage {
  const content: AssistantMessage['content'] = [];
  if (options.text !== undefined) content.push({ type: 'text', text: options.text });
  (options.calls ?? []).forEach((c, i) => {
    content.push({ type: 'tool_use', id: c.id ?? options.toolUseId(i), name: c.name, input: c.input });
  });
  return {
    id: options.id,
    model: options.model,
    content,
    stopReason: (options.calls?.length ?? 0) > 0 ? 'tool_use' : 'end_turn',
    usage: options.usage,
  };
}

const apiUsage = (u: TurnUsage, output: number) => ({
  input_tokens: u.input,
  output_tokens: output,
  cache_creation_input_tokens: u.cacheCreation,
  cache_read_input_tokens: u.cacheRead,
});

/** The non-streaming JSON body of a message. */
export function messageJson(m: AssistantMessage): Record<string, unknown> {
  return {
    id: m.id,
    type: 'message',
    role: 'assistant',
    model: m.model,
    content: m.content,
    stop_reason: m.stopReason,
    stop_sequence: null,
    usage: apiUsage(m.usage, m.usage.output),
  };
}

/**
 * The SSE events of a message, as the real API streams them: input figures in `message_start`
 * (output provisional), the final output count in `message_delta`.
 */
export function messageEvents(m: AssistantMessage): Array<Record<string, unknown> & { type: string }> {
  const events: Array<Record<string, unknown> & { type: string }> = [
    {
      type: 'message_start',
      message: {
        id: m.id,
        type: 'message',
        role: 'assistant',
        model: m.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: apiUsage(m.usage, Math.min(1, m.usage.output)),
      },
    },
  ];
  m.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } });
    } else {
      events.push({
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      events.push({
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      });
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push({
    type: 'message_delta',
    delta: { stop_reason: m.stopReason, stop_sequence: null },
    usage: { output_tokens: m.usage.output },
  });
  events.push({ type: 'message_stop' });
  return events;
}

/** Serialise events as an SSE body. */
export function sseBody(events: ReadonlyArray<{ type: string }>): string {
  return events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
}

/** The Messages API error type for an HTTP status. */
export function errorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status === 529) return 'overloaded_error';
  if (status === 400) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  return 'api_error';
}

/** The JSON body of an API error. */
export function errorJson(status: number, message: string): Record<string, unknown> {
  return { type: 'error', error: { type: errorType(status), message } };
}
