import type { AgentDefinition, EventPayload, TaskResult, Usage } from '../domain/index.js';

/** Everything an executor needs to run one attempt of one task. */
export interface ExecutionRequest {
  runId: string;
  taskId: string;
  /** 1 for the first attempt; respawns count up. */
  attempt?: number;
  /** The specialist: its body is its role, its `tools` the only tools available. */
  agent: AgentDefinition;
  /**
   * The task's context packet, appended to the coding agent's own system prompt. A packet from
   * `buildPacket` holds the role and the task header and is sent as is; otherwise the executor puts
   * the agent's body and the task header before it.
   */
  packet: string;
  /** The first user turn: only what to do now (the task itself is in the packet). */
  prompt: string;
  /** The task's worktree: the process runs there and may write nowhere else. */
  cwd: string;
  /** Globs (worktree-relative) the task may write. */
  owns: readonly string[];
  /** Which task owns a path, for deny messages the model can act on. */
  ownerOf?: (relativePath: string) => string | undefined;
  model?: string;
  maxTurns?: number;
  maxBudgetUsd?: number;
  /** Extra environment for the agent process (merged over the executor's base environment). */
  env?: Readonly<Record<string, string>>;
  /** JSON Schema of the structured result (default: the `result` schema, parsed as TaskResult). */
  outputSchema?: Record<string, unknown>;
  /**
   * MCP servers the agent may use (e.g. the hub's tools, `mcp__orchestra__*`), by name. Opaque to
   * the spec: each executor passes through what it understands (Claude Code: SDK `McpServerConfig`).
   */
  mcpServers?: Readonly<Record<string, unknown>>;
}

/** How an attempt ended. `terminated`: stopped on request; `crashed`: the process died; `hung`: silent too long. */
export type ExecutionStatus = 'succeeded' | 'failed' | 'terminated' | 'crashed' | 'hung';

/** One refused tool call. */
export interface Denial {
  tool: string;
  path?: string;
  reason: string;
}

/** The end of an attempt. Files written stay in the worktree whatever the status. */
export interface ExecutionOutcome {
  status: ExecutionStatus;
  /** The parsed structured result, when the agent gave a valid one. */
  result?: TaskResult;
  /** The raw structured output as the agent gave it. */
  structuredOutput?: unknown;
  /** Token totals of the attempt. */
  usage: Usage;
  costUsd: number;
  numTurns: number;
  denials: Denial[];
  /** Worktree-relative paths written through the write tools. */
  filesChanged: string[];
  /** Why it did not succeed (`max_turns: …`, `terminated: context 87%`, `hung: no message for 60000 ms`). */
  reason?: string;
  sessionId?: string;
}

/** Options of one start. */
export interface StartOptions {
  /** Aborting stops the attempt like `terminate('aborted')`. */
  signal?: AbortSignal;
  /** Called synchronously for every event, in order (a monitor can terminate from here). */
  onEvent?: (event: EventPayload) => void;
}

/** A running attempt. */
export interface Execution {
  /** The events (src/domain/event.ts payloads), buffered: iterate once, from any point in time. */
  readonly events: AsyncIterable<EventPayload>;
  /** Resolves when the attempt is over (never rejects: failures are statuses). */
  readonly outcome: Promise<ExecutionOutcome>;
  /** Stop the process cleanly, keeping its work; the outcome becomes `terminated` with this reason. */
  terminate(reason: string): Promise<void>;
}

/**
 * The executor spec, version 1: the one boundary between Orchestra and a coding agent. Claude Code,
 * a scripted fake and, later, other agents are adapters behind it (cf. the AI SDK's LanguageModelV*).
 */
export interface Executor {
  readonly specVersion: 'v1';
  /** A short name for logs and reports (`claude-code`, `scripted`). */
  readonly name: string;
  start(request: ExecutionRequest, options?: StartOptions): Execution;
}

/** A timer seam so hung detection can be tested without waiting. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real timers (unref'd so a forgotten watchdog never keeps Node alive). */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** A zero usage record. */
export const emptyUsage = (): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 0,
});

/** Add `b` into `a`. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
  };
}
