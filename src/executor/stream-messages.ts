import { z } from 'zod';

// The parts of Claude Code's SDK messages the stream mapper reads (reference §3, WIRE.md). Loose:
// the format is internal to Claude Code, unknown fields and types are skipped, never trusted.

const num = z.number().nonnegative().catch(0);

/** Anthropic usage figures as they appear on messages and results. */
export const apiUsageSchema = z.looseObject({
  input_tokens: num.optional(),
  output_tokens: num.optional(),
  cache_creation_input_tokens: num.nullish(),
  cache_read_input_tokens: num.nullish(),
});

const contentBlock = z.looseObject({ type: z.string() });

/** `assistant`: one API response (or part of it), content and provisional usage. */
export const assistantMessageSchema = z.looseObject({
  type: z.literal('assistant'),
  parent_tool_use_id: z.string().nullish(),
  message: z.looseObject({
    id: z.string().optional(),
    model: z.string().optional(),
    content: z.array(contentBlock).default([]),
    usage: apiUsageSchema.optional(),
  }),
});

/** `user`: tool results. */
export const userMessageSchema = z.looseObject({
  type: z.literal('user'),
  parent_tool_use_id: z.string().nullish(),
  message: z.looseObject({ content: z.union([z.string(), z.array(contentBlock)]) }),
  tool_use_result: z.unknown().optional(),
});

/** `stream_event` (with includePartialMessages): raw SSE events of the API response. */
export const streamEventSchema = z.looseObject({
  type: z.literal('stream_event'),
  parent_tool_use_id: z.string().nullish(),
  event: z.looseObject({
    type: z.string(),
    message: z
      .looseObject({ id: z.string(), model: z.string().optional(), usage: apiUsageSchema.optional() })
      .optional(),
    usage: apiUsageSchema.optional(),
  }),
});

/** `system/api_retry`: an API error being retried. */
export const apiRetrySchema = z.looseObject({
  type: z.literal('system'),
  subtype: z.literal('api_retry'),
  attempt: z.number().int().catch(0),
  error_status: z.number().int().nullish(),
  error: z.string().optional(),
  retry_delay_ms: z.number().optional(),
});

/** `result`: the end of the run. */
export const resultMessageSchema = z.looseObject({
  type: z.literal('result'),
  subtype: z.string(),
  is_error: z.boolean().catch(false),
  num_turns: z.number().int().catch(0),
  total_cost_usd: z.number().catch(0),
  usage: apiUsageSchema.optional(),
  session_id: z.string().optional(),
  result: z.string().optional(),
  structured_output: z.unknown().optional(),
  terminal_reason: z.string().nullish(),
  errors: z.array(z.string()).optional(),
  permission_denials: z
    .array(
      z.looseObject({ tool_name: z.string(), tool_use_id: z.string().optional(), tool_input: z.unknown() }),
    )
    .catch([])
    .default([]),
});

export type ResultMessage = z.output<typeof resultMessageSchema>;
export type ApiUsage = z.output<typeof apiUsageSchema>;
