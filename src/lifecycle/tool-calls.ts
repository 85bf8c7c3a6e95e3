import type { EventPayload } from '../domain/index.js';
import { canonicalJson } from './canonical-json.js';
import { firstLine, truncate } from './text.js';

/** What a tool call was for, as far as a handoff is concerned. */
export type ToolCategory = 'exploration' | 'edit' | 'command' | 'other' | 'ignored';

/** One tool call of an attempt with its outcome, rebuilt from the event log. */
export interface ToolCall {
  /** Index of its `tool.used` event (or of the failure, for a failure without a known call). */
  index: number;
  tool: string;
  input: unknown;
  toolUseId?: string;
  failed: boolean;
  error?: string;
  /** Set when the call was refused by the ownership check. */
  denied?: { path?: string; reason: string };
}

const EXPLORATION = new Set([
  'Read',
  'Grep',
  'Glob',
  'LS',
  'NotebookRead',
  'WebFetch',
  'WebSearch',
  'BashOutput',
]);
const EDITS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);
const IGNORED = new Set(['TodoWrite', 'StructuredOutput', 'ExitPlanMode', 'KillShell', 'KillBash']);
/** Shell commands that only look around. */
const LOOKING =
  /^\s*(ls|cat|head|tail|less|grep|rg|find|fd|pwd|tree|wc|file|stat|which|echo|git\s+(status|log|diff|show|branch))\b/;

/** Exploration (Read/Grep/Glob, read-only shell), edits, commands, or other tools. */
export function toolCategory(tool: string, input?: unknown): ToolCategory {
  if (EXPLORATION.has(tool)) return 'exploration';
  if (EDITS.has(tool)) return 'edit';
  if (IGNORED.has(tool)) return 'ignored';
  if (tool === 'Bash') return LOOKING.test(commandOf(input) ?? '') ? 'exploration' : 'command';
  return 'other';
}

/** A stable key grouping attempts at the same step, and a short human label for it. */
export function describeCall(tool: string, input: unknown): { key: string; label: string } {
  const command = tool === 'Bash' ? commandOf(input) : undefined;
  if (command !== undefined)
    return { key: `Bash:${command}`, label: `Bash \`${truncate(firstLine(command, 200), 100)}\`` };
  const path = EDITS.has(tool) ? pathOf(input) : undefined;
  if (path !== undefined) return { key: `edit:${path}`, label: `${tool} ${path}` };
  const text = canonicalJson(input ?? null);
  return { key: `${tool}:${text}`, label: `${tool} ${truncate(text, 80)}` };
}

/**
 * Rebuild the tool calls of an attempt with their outcome. A failure is matched to its call by
 * `toolUseId`, else to the latest earlier call of the same tool not yet failed. A call never
 * reported as failed succeeded.
 */
export function reconstructToolCalls(events: readonly EventPayload[]): ToolCall[] {
  const calls: ToolCall[] = [];
  const byId = new Map<string, ToolCall>();
  const latestOpen = (tool: string) => calls.findLast((c) => c.tool === tool && !c.failed);
  events.forEach((e, index) => {
    if (e.type === 'tool.used') {
      if (e.toolUseId !== undefined && byId.has(e.toolUseId)) return;
      const call: ToolCall = { index, tool: e.tool, input: e.input, failed: false };
      if (e.toolUseId !== undefined) {
        call.toolUseId = e.toolUseId;
        byId.set(e.toolUseId, call);
      }
      calls.push(call);
    } else if (e.type === 'tool.failed') {
      const call = (e.toolUseId !== undefined ? byId.get(e.toolUseId) : undefined) ?? latestOpen(e.tool);
      if (call?.failed) return; // already failed: a denial reported twice, or a duplicate line
      if (call) {
        call.failed = true;
        call.error = e.error;
      } else {
        calls.push({ index, tool: e.tool, input: undefined, failed: true, error: e.error });
      }
    } else if (e.type === 'tool.denied') {
      const denied = e.path !== undefined ? { path: e.path, reason: e.reason } : { reason: e.reason };
      // The refusal belongs to the latest call of that tool, whether or not its failed result came first.
      const call = calls.findLast((c) => c.tool === e.tool && !c.denied);
      if (call) Object.assign(call, { failed: true, error: call.error ?? e.reason, denied });
      else calls.push({ index, tool: e.tool, input: undefined, failed: true, error: e.reason, denied });
    }
  });
  return calls;
}

function commandOf(input: unknown): string | undefined {
  const c = (input as { command?: unknown } | null | undefined)?.command;
  return typeof c === 'string' ? c : undefined;
}

function pathOf(input: unknown): string | undefined {
  const o = input as { file_path?: unknown; notebook_path?: unknown; path?: unknown } | null | undefined;
  const p = o?.file_path ?? o?.notebook_path ?? o?.path;
  return typeof p === 'string' ? p : undefined;
}
