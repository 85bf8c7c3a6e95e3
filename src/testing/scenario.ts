import { TASK_HEADER_KEYS } from '../executor/index.js';
import { type ModelRequestBody, searchableText } from './model-request.js';

/** Token figures of one scripted model turn. */
export interface TurnUsage {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

/** Usage the server reports for a turn whose usage was not scripted. */
export const DEFAULT_TURN_USAGE: TurnUsage = { input: 100, output: 20, cacheCreation: 0, cacheRead: 0 };

/** One tool call inside a scripted turn. */
export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
  /** Fixed tool_use id; generated when absent. */
  id?: string;
}

/** What "the model" answers on one request. */
export type Turn =
  | { kind: 'text'; text: string; usage?: Partial<TurnUsage>; model?: string }
  | { kind: 'tools'; calls: ToolCall[]; text?: string; usage?: Partial<TurnUsage>; model?: string }
  | { kind: 'error'; status: number; retryAfterS?: number; message?: string }
  | { kind: 'hang' };

/** Who a block of turns is for. Every given field must hold; a function decides alone. */
export type Matcher =
  | {
      /** The task id in the executor's task header (`orchestra-task: <id>`). */
      taskId?: string;
      /** The agent name in the executor's task header (`orchestra-agent: <name>`). */
      agent?: string;
      /** Text (or pattern) found in the system prompt or the user turns. */
      text?: string | RegExp;
    }
  | ((body: ModelRequestBody) => boolean);

/** A matcher with the turns it scripts, in order. */
export interface ScenarioBlock {
  matcher: Matcher;
  turns: Turn[];
  /** Model name reported in responses (default: the model the request asked for). */
  model?: string;
}

/** A finished script: what the scripted server and the ScriptedExecutor play. */
export interface Scenario {
  readonly blocks: readonly ScenarioBlock[];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function headerHas(text: string, key: string, value: string): boolean {
  return new RegExp(`^${escapeRegExp(key)}: ${escapeRegExp(value)}$`, 'm').test(text);
}

/** Whether a matcher accepts a request body. */
export function matches(matcher: Matcher, body: ModelRequestBody): boolean {
  if (typeof matcher === 'function') return matcher(body);
  const text = searchableText(body);
  if (matcher.taskId !== undefined && !headerHas(text, TASK_HEADER_KEYS.task, matcher.taskId)) return false;
  if (matcher.agent !== undefined && !headerHas(text, TASK_HEADER_KEYS.agent, matcher.agent)) return false;
  if (matcher.text !== undefined) {
    const ok = typeof matcher.text === 'string' ? text.includes(matcher.text) : matcher.text.test(text);
    if (!ok) return false;
  }
  return true;
}

/** A readable label for failure messages. */
export function describeMatcher(matcher: Matcher): string {
  if (typeof matcher === 'function') return 'custom matcher';
  const parts = Object.entries(matcher).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length > 0 ? `{${parts.join(', ')}}` : '{any}';
}

/** Build one tool call for `.calls(...)`: `call.write(path, content)`, `call.bash(cmd)`, … */
export const call = {
  tool: (name: string, input: Record<string, unknown>, id?: string): ToolCall =>
    id === undefined ? { name, input } : { name, input, id },
  write: (filePath: string, content: string): ToolCall => ({
    name: 'Write',
    input: { file_path: filePath, content },
  }),
  edit: (filePath: string, oldString: string, newString: string): ToolCall => ({
    name: 'Edit',
    input: { file_path: filePath, old_string: oldString, new_string: newString },
  }),
  read: (filePath: string): ToolCall => ({ name: 'Read', input: { file_path: filePath } }),
  bash: (command: string): ToolCall => ({ name: 'Bash', input: { command } }),
  structured: (value: Record<string, unknown>): ToolCall => ({ name: 'StructuredOutput', input: value }),
};

/** Options of `.error(...)`. */
export interface ErrorTurnOptions {
  /** `retry-after` header in seconds (default 0: retry at once). */
  retryAfterS?: number;
  message?: string;
  /** How many consecutive requests get this error (default 1). */
  times?: number;
}

/** Fluent builder: `scenario().on({agent}).write(...).bash(...).structured({...}).text('done')`. */
export class ScenarioBuilder implements Scenario {
  readonly blocks: ScenarioBlock[] = [];

  /** Start a block of turns for the requests `matcher` accepts (a new conversation binds to it). */
  on(matcher: Matcher = {}, options: { model?: string } = {}): this {
    this.blocks.push({
      matcher,
      turns: [],
      ...(options.model === undefined ? {} : { model: options.model }),
    });
    return this;
  }

  private current(): ScenarioBlock {
    const b = this.blocks.at(-1);
    if (!b) throw new Error('scenario: call .on(matcher) before adding turns');
    return b;
  }

  /** Add a raw turn. */
  turn(t: Turn): this {
    this.current().turns.push(t);
    return this;
  }

  /** A final text answer (stop_reason end_turn). */
  text(text: string): this {
    return this.turn({ kind: 'text', text });
  }

  /** One turn with several tool calls (run by Claude Code before the next request). */
  calls(...calls: ToolCall[]): this {
    return this.turn({ kind: 'tools', calls });
  }

  /** One turn calling any tool. */
  tool(name: string, input: Record<string, unknown>): this {
    return this.calls(call.tool(name, input));
  }

  /** One turn calling Write. */
  write(filePath: string, content: string): this {
    return this.calls(call.write(filePath, content));
  }

  /** One turn calling Edit (Claude Code requires a Read of the file earlier in the conversation). */
  edit(filePath: string, oldString: string, newString: string): this {
    return this.calls(call.edit(filePath, oldString, newString));
  }

  /** One turn calling Read. */
  read(filePath: string): this {
    return this.calls(call.read(filePath));
  }

  /** One turn calling Bash. */
  bash(command: string): this {
    return this.calls(call.bash(command));
  }

  /** One turn answering through the StructuredOutput tool (ends the run when `outputFormat` is set). */
  structured(value: Record<string, unknown>): this {
    return this.calls(call.structured(value));
  }

  /** An API error instead of an answer (429 rate limit, 500, 529 overloaded…). */
  error(status: number, options: ErrorTurnOptions = {}): this {
    const { times = 1, ...rest } = options;
    for (let i = 0; i < times; i++) this.turn({ kind: 'error', status, ...rest });
    return this;
  }

  /** Never answer this request (for hung-process detection); the connection closes with the server. */
  hang(): this {
    return this.turn({ kind: 'hang' });
  }

  /** Set the token figures of the last turn added. */
  usage(u: Partial<TurnUsage>): this {
    const t = this.current().turns.at(-1);
    if (!t || t.kind === 'error' || t.kind === 'hang')
      throw new Error('scenario: .usage() follows a text or tool turn');
    t.usage = { ...t.usage, ...u };
    return this;
  }

  /** Set the model name reported for the last turn added. */
  model(name: string): this {
    const t = this.current().turns.at(-1);
    if (!t || t.kind === 'error' || t.kind === 'hang')
      throw new Error('scenario: .model() follows a text or tool turn');
    t.model = name;
    return this;
  }
}

/** Start a scenario. */
export function scenario(): ScenarioBuilder {
  return new ScenarioBuilder();
}

/** The usage of a turn with defaults filled in. */
export function turnUsage(t: Turn): TurnUsage {
  return { ...DEFAULT_TURN_USAGE, ...(t.kind === 'text' || t.kind === 'tools' ? t.usage : {}) };
}
