import { createHash } from 'node:crypto';
import { z } from 'zod';

const block = z.looseObject({ type: z.string() });
const content = z.union([z.string(), z.array(block)]);

/** The parts of a Messages API request body the scripted server reads (see WIRE.md). */
export const modelRequestBodySchema = z.looseObject({
  model: z.string().default('claude-scripted'),
  stream: z.boolean().optional(),
  system: z.union([z.string(), z.array(block)]).optional(),
  messages: z.array(z.looseObject({ role: z.string(), content })).default([]),
  tools: z.array(z.looseObject({ name: z.string() })).default([]),
  output_config: z.unknown().optional(),
});

/** A parsed Messages API request body. */
export type ModelRequestBody = z.output<typeof modelRequestBodySchema>;

/** One request as the server recorded it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** How the server answered: a scripted turn, a side request, or a failure. */
  served?: { kind: 'turn' | 'side' | 'error' | 'unmatched'; block?: number; turn?: number; label?: string };
}

/** The text of a content value: strings, text blocks, and the text inside tool results. */
export function contentText(c: unknown): string {
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return '';
  const parts: string[] = [];
  for (const b of c) {
    if (typeof b !== 'object' || b === null) continue;
    const rec = b as Record<string, unknown>;
    if (typeof rec.text === 'string') parts.push(rec.text);
    else if (rec.type === 'tool_result') parts.push(contentText(rec.content));
  }
  return parts.join('\n');
}

/** The system prompt plus every non-assistant turn (user and role:system entries): what matchers search. */
export function searchableText(body: ModelRequestBody): string {
  const parts = [contentText(body.system ?? '')];
  for (const m of body.messages) if (m.role !== 'assistant') parts.push(contentText(m.content));
  return parts.join('\n');
}

/**
 * Identifies one conversation: the system prompt and the first user message never change while
 * Claude Code appends turns, so their hash is stable across a conversation's requests.
 */
export function conversationKey(body: ModelRequestBody): string {
  const first = body.messages.find((m) => m.role === 'user');
  return createHash('sha256')
    .update(contentText(body.system ?? ''))
    .update('\0')
    .update(contentText(first?.content ?? ''))
    .digest('hex')
    .slice(0, 16);
}

/** Side requests the binary makes on its own; they must never consume scripted turns. */
export type SideRequestKind = 'title' | 'quota';

/** Recognise a side request (WIRE.md): the session-title request, or a one-token quota probe. */
export function sideRequestKind(body: ModelRequestBody): SideRequestKind | undefined {
  const system = contentText(body.system ?? '');
  const schemaProps = (body.output_config as { format?: { schema?: { properties?: object } } } | undefined)
    ?.format?.schema?.properties;
  if (body.tools.length === 0 && schemaProps && 'title' in schemaProps) return 'title';
  if (system.includes('You are naming a coding session')) return 'title';
  const maxTokens = (body as { max_tokens?: unknown }).max_tokens;
  const only = body.messages.length === 1 ? contentText(body.messages[0]?.content).trim() : '';
  if (maxTokens === 1 && body.tools.length === 0 && only === 'quota') return 'quota';
  return undefined;
}
