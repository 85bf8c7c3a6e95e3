import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { EventPayload, Usage } from '../domain/index.js';
import { parseWith } from '../domain/index.js';
import { addUsage, type Denial, type ExecutionStatus, emptyUsage } from './executor.js';
import { resolveTarget, targetPathOf, WRITE_TOOLS } from './ownership.js';
import {
  type ApiUsage,
  apiRetrySchema,
  assistantMessageSchema,
  type ResultMessage,
  resultMessageSchema,
  streamEventSchema,
  userMessageSchema,
} from './stream-messages.js';

/** Settings of a StreamMapper. */
export interface StreamMapperSettings {
  /** The worktree: file paths in events are relative to it. */
  worktree: string;
  /** Reads a file after a write to hash it (injectable); undefined when it does not exist. */
  readFile?: (absolutePath: string) => Uint8Array | undefined;
}

const defaultReadFile = (p: string): Uint8Array | undefined => {
  try {
    return readFileSync(p);
  } catch {
    return undefined;
  }
};

/** Convert Anthropic usage figures into the domain's. */
export function toUsage(u: ApiUsage | undefined): Usage {
  return {
    inputTokens: u?.input_tokens ?? 0,
    outputTokens: u?.output_tokens ?? 0,
    cacheCreationInputTokens: u?.cache_creation_input_tokens ?? 0,
    cacheReadInputTokens: u?.cache_read_input_tokens ?? 0,
  };
}

/** sha256 (hex) of bytes. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface PendingUsage {
  model?: string;
  usage: Usage;
}

/**
 * Maps Claude Code's SDK messages to domain events, one message at a time: tool uses, tool failures,
 * files changed (hashed after the write), usage per API call (final output count from the stream
 * events, deduplicated by message id), API retries. Keeps what the outcome needs.
 */
export class StreamMapper {
  private readonly readFile: (p: string) => Uint8Array | undefined;
  private readonly toolUses = new Map<string, { name: string; input: unknown }>();
  private readonly streamed = new Set<string>();
  private readonly usageEmitted = new Set<string>();
  private readonly pending = new Map<string, PendingUsage>();
  private readonly deniedIds = new Set<string>();
  private current: string | undefined;
  private turnUsage = emptyUsage();
  private readonly changed = new Set<string>();
  private readonly denialList: Denial[] = [];
  private resultMessage: ResultMessage | undefined;
  private session: string | undefined;

  constructor(private readonly settings: StreamMapperSettings) {
    this.readFile = settings.readFile ?? defaultReadFile;
  }

  /** The result message, once it came. */
  get result(): ResultMessage | undefined {
    return this.resultMessage;
  }
  get sessionId(): string | undefined {
    return this.session;
  }
  /** Worktree-relative paths written through write tools, in first-write order. */
  get filesChanged(): string[] {
    return [...this.changed];
  }
  /** Sum of the per-call usage events so far. */
  get usage(): Usage {
    return this.turnUsage;
  }
  /** Denials noted by the permission layer plus those the result lists. */
  get denials(): Denial[] {
    return [...this.denialList];
  }

  /** Record a denial decided in process; returns false when this tool call was already denied. */
  noteDenial(toolUseId: string | undefined, denial: Denial): boolean {
    if (toolUseId !== undefined) {
      if (this.deniedIds.has(toolUseId)) return false;
      this.deniedIds.add(toolUseId);
    }
    this.denialList.push(denial);
    return true;
  }

  /** Map one SDK message; unknown types give no events. */
  map(message: unknown): EventPayload[] {
    const type = (message as { type?: unknown } | null)?.type;
    const sid = (message as { session_id?: unknown } | null)?.session_id;
    if (typeof sid === 'string') this.session = sid;
    switch (type) {
      case 'stream_event':
        return this.mapStreamEvent(message);
      case 'assistant':
        return this.mapAssistant(message);
      case 'user':
        return this.mapUser(message);
      case 'system':
        return this.mapSystem(message);
      case 'result':
        return this.mapResult(message);
      default:
        return [];
    }
  }

  private emitUsage(id: string, p: PendingUsage): EventPayload[] {
    if (this.usageEmitted.has(id)) return [];
    this.usageEmitted.add(id);
    this.turnUsage = addUsage(this.turnUsage, p.usage);
    return [{ type: 'usage', messageId: id, usage: p.usage, ...(p.model ? { model: p.model } : {}) }];
  }

  private mapStreamEvent(message: unknown): EventPayload[] {
    const m = parseWith(streamEventSchema, message);
    if (!m.success) return [];
    const e = m.value.event;
    if (e.type === 'message_start' && e.message) {
      this.current = e.message.id;
      this.streamed.add(e.message.id);
      this.pending.set(e.message.id, {
        ...(e.message.model ? { model: e.message.model } : {}),
        usage: toUsage(e.message.usage),
      });
      return [];
    }
    const p = this.current ? this.pending.get(this.current) : undefined;
    if (e.type === 'message_delta' && p && e.usage) {
      // message_delta figures are cumulative for the call: they replace the provisional ones.
      const d = e.usage;
      if (d.output_tokens !== undefined) p.usage.outputTokens = d.output_tokens;
      if (d.input_tokens) p.usage.inputTokens = d.input_tokens;
      if (d.cache_creation_input_tokens) p.usage.cacheCreationInputTokens = d.cache_creation_input_tokens;
      if (d.cache_read_input_tokens) p.usage.cacheReadInputTokens = d.cache_read_input_tokens;
      return [];
    }
    if (e.type === 'message_stop' && this.current && p) {
      const id = this.current;
      this.current = undefined;
      return this.emitUsage(id, p);
    }
    return [];
  }

  private mapAssistant(message: unknown): EventPayload[] {
    const m = parseWith(assistantMessageSchema, message);
    if (!m.success) return [];
    const msg = m.value.message;
    const events: EventPayload[] = [];
    for (const block of msg.content) {
      if (block.type !== 'tool_use' || typeof block.id !== 'string' || typeof block.name !== 'string')
        continue;
      this.toolUses.set(block.id, { name: block.name, input: block.input });
      events.push({ type: 'tool.used', tool: block.name, input: block.input, toolUseId: block.id });
    }
    // Without stream events (or for a synthetic error message) the assistant usage is all there is.
    if (msg.id && !this.streamed.has(msg.id) && msg.model !== '<synthetic>') {
      events.push(
        ...this.emitUsage(msg.id, { ...(msg.model ? { model: msg.model } : {}), usage: toUsage(msg.usage) }),
      );
    }
    return events;
  }

  private mapUser(message: unknown): EventPayload[] {
    const m = parseWith(userMessageSchema, message);
    if (!m.success || typeof m.value.message.content === 'string') return [];
    const events: EventPayload[] = [];
    for (const block of m.value.message.content) {
      if (block.type !== 'tool_result' || typeof block.tool_use_id !== 'string') continue;
      const use = this.toolUses.get(block.tool_use_id);
      const tool = use?.name ?? 'unknown';
      if (block.is_error === true) {
        if (this.deniedIds.has(block.tool_use_id)) continue; // already reported as tool.denied
        events.push({
          type: 'tool.failed',
          tool,
          error: resultText(block.content),
          toolUseId: block.tool_use_id,
        });
        continue;
      }
      if (!use || !(WRITE_TOOLS as readonly string[]).includes(use.name)) continue;
      const target = writtenPath(m.value.tool_use_result) ?? targetPathOf(use.input);
      if (target !== undefined) events.push(this.fileChanged(target));
    }
    return events;
  }

  private fileChanged(target: string): EventPayload {
    const worktree = this.settings.worktree;
    const absolute = path.isAbsolute(target) ? target : path.join(worktree, target);
    let rel: string;
    try {
      rel = resolveTarget(worktree, absolute).relative ?? absolute;
    } catch {
      rel = absolute;
    }
    this.changed.add(rel);
    const bytes = this.readFile(absolute);
    return { type: 'file.changed', path: rel, sha256: bytes ? sha256(bytes) : null };
  }

  private mapSystem(message: unknown): EventPayload[] {
    const m = parseWith(apiRetrySchema, message);
    if (!m.success) return [];
    const r = m.value;
    return [
      {
        type: 'api.retry',
        attempt: r.attempt,
        status: r.error_status ?? null,
        ...(r.error === undefined ? {} : { error: r.error }),
        ...(r.retry_delay_ms === undefined ? {} : { retryInMs: r.retry_delay_ms }),
      },
    ];
  }

  private mapResult(message: unknown): EventPayload[] {
    const m = parseWith(resultMessageSchema, message);
    if (!m.success) return [];
    this.resultMessage = m.value;
    for (const d of m.value.permission_denials) {
      const p = targetPathOf(d.tool_input);
      this.noteDenial(d.tool_use_id, {
        tool: d.tool_name,
        reason: 'denied by Claude Code',
        ...(p === undefined ? {} : { path: p }),
      });
    }
    return [];
  }
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((c) => (typeof c?.text === 'string' ? c.text : '')).join('\n');
  }
  return '';
}

function writtenPath(toolUseResult: unknown): string | undefined {
  if (typeof toolUseResult !== 'object' || toolUseResult === null) return undefined;
  const p = (toolUseResult as { filePath?: unknown }).filePath;
  return typeof p === 'string' && p.length > 0 ? p : undefined;
}

/** The status and reason a result message means (WIRE.md: subtypes and terminal reasons). */
export function resultStatus(r: ResultMessage): { status: ExecutionStatus; reason?: string } {
  const detail = (r.errors ?? []).join('; ') || r.result || r.terminal_reason || '';
  const withDetail = (label: string) => (detail ? `${label}: ${detail}` : label);
  switch (r.subtype) {
    case 'success':
      if (!r.is_error) return { status: 'succeeded' };
      return {
        status: 'failed',
        reason: withDetail(r.terminal_reason === 'api_error' ? 'api_error' : 'error'),
      };
    case 'error_max_turns':
      return { status: 'failed', reason: withDetail('max_turns') };
    case 'error_max_budget_usd':
      return { status: 'failed', reason: withDetail('max_budget') };
    case 'error_max_structured_output_retries':
      return { status: 'failed', reason: withDetail('structured_output') };
    default:
      return { status: 'failed', reason: withDetail(r.subtype) };
  }
}
