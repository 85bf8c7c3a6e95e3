import type { RecordedRequest } from '../../src/testing/index.js';
import { contentText } from '../../src/testing/model-request.js';

/** A model turn's request body as the scripted server recorded it. */
export interface TurnBody {
  system?: unknown;
  messages: Array<{ role: string; content: unknown }>;
}

/** The requests that were scripted turns (side requests such as titles left out). */
export function turnRequests(requests: readonly RecordedRequest[]): TurnBody[] {
  return requests.filter((r) => r.served?.kind === 'turn').map((r) => r.body as TurnBody);
}

/** The system prompt's text. */
export function systemText(body: TurnBody): string {
  return contentText(body.system ?? '');
}

/** Everything the model reads in a request: the system prompt and every message. */
export function requestText(body: TurnBody): string {
  return [systemText(body), ...body.messages.map((m) => contentText(m.content))].join('\n');
}

/**
 * Claude Code's own running reminder of the token budget, which it attaches to every tool result
 * (`<total_tokens>… tokens left</total_tokens>`): the binary's, not Orchestra's, to repeat.
 */
const BINARY_REMINDER = /^<total_tokens>\d+ tokens left<\/total_tokens>$/;

/** Lines of at least `min` characters (trimmed) that appear more than once in `text`. */
export function repeatedLines(text: string, min = 40): string[] {
  const seen = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (BINARY_REMINDER.test(line)) continue;
    if (line.length >= min) seen.set(line, (seen.get(line) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([l, n]) => `${n}× ${l}`);
}

/** How often `needle` occurs in `text`. */
export function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
