import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CanUseTool, HookCallback, Options, Query } from '@anthropic-ai/claude-agent-sdk';
import { query as sdkQuery } from '@anthropic-ai/claude-agent-sdk';
import type { EventPayload } from '../domain/index.js';
import { toJsonSchema } from '../domain/index.js';
import { claudeCodeOutcome } from './claude-code-outcome.js';
import { buildSystemPrompt, presetSystemPrompt } from './claude-code-prompt.js';
import { type AgentSandbox, prepareAgentProcess } from './claude-code-sandbox.js';
import { seedConfigDir } from './claude-login.js';
import type {
  Execution,
  ExecutionOutcome,
  ExecutionRequest,
  Executor,
  StartOptions,
  Timers,
} from './executor.js';
import { systemTimers } from './executor.js';
import {
  decideToolUse,
  NESTED_AGENT_TOOLS,
  type OwnershipDecision,
  type OwnershipPolicy,
} from './ownership.js';
import { StreamMapper } from './stream.js';
import { Channel } from './stream-channel.js';

/** Tools a specialist gets when its definition lists none. */
export const DEFAULT_SPECIALIST_TOOLS = [
  'Read',
  'Write',
  'Edit',
  'MultiEdit',
  'Glob',
  'Grep',
  'Bash',
] as const;

/** Settings of `createClaudeCodeExecutor`. */
export interface ClaudeCodeExecutorSettings {
  /** The Claude Code binary (default: the one bundled with the Agent SDK). */
  pathToClaudeCodeExecutable?: string;
  /**
   * The environment the allowlist picks from (default: process.env): PATH, locale, the model's
   * connection and package settings pass, plus `envPassThrough`; nothing else. HOME is private.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Names of the user's variables to pass besides the allowlist (config `env.passThrough`). */
  envPassThrough?: readonly string[];
  /** The OS sandbox around each process; absent: no sandbox (tests of the harness alone). */
  sandbox?: AgentSandbox;
  /**
   * CLAUDE_CONFIG_DIR for every process; default: a private temp dir per process, removed
   * afterwards, holding only the user's subscription login when there is one.
   */
  configDir?: string;
  /** Settings Claude Code loads (default none: user and project settings stay out). */
  settingSources?: Array<'user' | 'project' | 'local'>;
  /** Defaults when neither the request nor the agent says. */
  model?: string;
  maxTurns?: number;
  maxBudgetUsd?: number;
  /** A process that sends no message for this long is stopped as `hung` (default 10 minutes). */
  hungAfterMs?: number;
  /** Timer seam for hung detection. */
  timers?: Timers;
  /** The SDK's `query` (a seam for tests). */
  query?: typeof sdkQuery;
}

type Stopping = { status: 'terminated' | 'hung'; reason: string };

const DEFAULT_HUNG_AFTER_MS = 10 * 60_000;

/** The agent's tools, minus nested agents; its default set when the definition lists none. */
export function specialistTools(agentTools: readonly string[] | undefined): string[] {
  const base = agentTools ?? DEFAULT_SPECIALIST_TOOLS;
  return base.filter((t) => !(NESTED_AGENT_TOOLS as readonly string[]).includes(t));
}

/** The environment of one Claude Code process: base + request, CLAUDECODE removed, private config dir. */
export function processEnv(
  base: Readonly<Record<string, string | undefined>>,
  extra: Readonly<Record<string, string>> | undefined,
  configDir: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...base, ...extra })) if (v !== undefined) env[k] = v;
  delete env.CLAUDECODE; // a child claude refuses to start inside another one
  env.CLAUDE_CONFIG_DIR = configDir;
  return env;
}

/**
 * The structured-output schema Claude Code is given. Its validator knows no `$schema` meta-schema
 * URL ("no schema with key or ref …draft/2020-12"), so the key is dropped.
 */
export function outputSchemaFor(request: Pick<ExecutionRequest, 'outputSchema'>): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = request.outputSchema ?? toJsonSchema('result');
  return schema;
}

/** An Executor that runs each task as a real Claude Code process through the Agent SDK. */
export function createClaudeCodeExecutor(settings: ClaudeCodeExecutorSettings = {}): Executor {
  const timers = settings.timers ?? systemTimers;
  const runQuery = settings.query ?? sdkQuery;

  const start = (request: ExecutionRequest, options: StartOptions = {}): Execution => {
    const channel = new Channel<EventPayload>();
    const mapper = new StreamMapper({ worktree: request.cwd });
    const abort = new AbortController();
    const stderrTail: string[] = [];
    let stopping: Stopping | undefined;

    const emit = (event: EventPayload) => {
      try {
        options.onEvent?.(event);
      } catch {
        // A failing observer must not break the run.
      }
      channel.push(event);
    };

    const policy: OwnershipPolicy = {
      worktree: request.cwd,
      owns: request.owns,
      taskId: request.taskId,
      tools: specialistTools(request.agent.tools),
      ...(request.ownerOf ? { ownerOf: request.ownerOf } : {}),
    };
    const decide = (tool: string, input: unknown, toolUseId: string | undefined): OwnershipDecision => {
      let d: OwnershipDecision;
      try {
        d = decideToolUse(policy, tool, input, request.cwd);
      } catch (e) {
        d = { behavior: 'deny', reason: `ownership check failed: ${String(e)}` };
      }
      if (d.behavior === 'deny') {
        const denial = { tool, reason: d.reason, ...(d.path === undefined ? {} : { path: d.path }) };
        if (mapper.noteDenial(toolUseId, denial)) emit({ type: 'tool.denied', ...denial });
      }
      return d;
    };

    // Both layers decide; each catches its own failure and denies (a throwing hook fails open).
    const preToolUse: HookCallback = async (input) => {
      try {
        if (input.hook_event_name !== 'PreToolUse') return {};
        const d = decide(input.tool_name, input.tool_input, input.tool_use_id);
        if (d.behavior === 'pass') return {};
        return {
          hookSpecificOutput: {
            hookEventName: 'PreToolUse',
            permissionDecision: d.behavior,
            permissionDecisionReason: d.behavior === 'allow' ? `${d.path} is owned by this task` : d.reason,
          },
        };
      } catch (e) {
        return {
          hookSpecificOutput: {
            hookEventName: 'PreToolUse',
            permissionDecision: 'deny',
            permissionDecisionReason: `ownership hook failed (${String(e)}); the call is refused`,
          },
        };
      }
    };
    const canUseTool: CanUseTool = async (tool, input, ctx) => {
      try {
        const d = decide(tool, input, ctx.toolUseID);
        if (d.behavior === 'deny') return { behavior: 'deny', message: d.reason };
        return { behavior: 'allow', updatedInput: input };
      } catch (e) {
        return { behavior: 'deny', message: `permission check failed (${String(e)}); the call is refused` };
      }
    };

    const ownConfigDir = settings.configDir === undefined;
    const configDir = settings.configDir ?? mkdtempSync(path.join(tmpdir(), 'orchestra-claude-'));
    // The private config dir loads no user settings, hooks or plugins, but carries the user's
    // subscription login (`claude` logged in), refreshed tokens going back to the user's copy.
    const baseEnv = { ...(settings.env ?? process.env), ...request.env };
    const syncLogin = ownConfigDir ? seedConfigDir(configDir, baseEnv) : () => {};
    const agent = request.agent;
    const model = request.model ?? (agent.model && agent.model !== 'inherit' ? agent.model : settings.model);
    const maxTurns = request.maxTurns ?? agent.maxTurns ?? settings.maxTurns;
    const maxBudgetUsd = request.maxBudgetUsd ?? settings.maxBudgetUsd;
    const agentProcess = prepareAgentProcess({
      worktree: request.cwd,
      owns: request.owns,
      baseEnv: settings.env ?? process.env,
      ...(settings.envPassThrough ? { passThrough: settings.envPassThrough } : {}),
      set: processEnv({}, request.env, configDir),
      configDir,
      ...(settings.sandbox ? { sandbox: settings.sandbox } : {}),
      onStderr: (data) => {
        stderrTail.push(data);
        if (stderrTail.length > 20) stderrTail.shift();
      },
    });
    const sdkOptions: Options = {
      cwd: request.cwd,
      // Claude Code's own prompt (tools, environment, git) stays; Orchestra's text is appended after it.
      systemPrompt: presetSystemPrompt(
        buildSystemPrompt(
          { taskId: request.taskId, agent: agent.name, runId: request.runId },
          agent.prompt,
          request.packet,
        ),
      ),
      tools: specialistTools(agent.tools),
      disallowedTools: [...new Set([...NESTED_AGENT_TOOLS, ...(agent.disallowedTools ?? [])])],
      settingSources: settings.settingSources ?? [],
      permissionMode: 'default',
      canUseTool,
      hooks: { PreToolUse: [{ hooks: [preToolUse], onFailure: 'block' }] },
      outputFormat: { type: 'json_schema', schema: outputSchemaFor(request) },
      includePartialMessages: true,
      env: agentProcess.env,
      ...(agentProcess.spawn ? { spawnClaudeCodeProcess: agentProcess.spawn } : {}),
      abortController: abort,
      stderr: (data: string) => {
        stderrTail.push(data);
        if (stderrTail.length > 20) stderrTail.shift();
      },
      ...(request.mcpServers ? { mcpServers: request.mcpServers as NonNullable<Options['mcpServers']> } : {}),
      ...(model === undefined ? {} : { model }),
      ...(maxTurns === undefined ? {} : { maxTurns }),
      ...(maxBudgetUsd === undefined ? {} : { maxBudgetUsd }),
      ...(settings.pathToClaudeCodeExecutable === undefined
        ? {}
        : { pathToClaudeCodeExecutable: settings.pathToClaudeCodeExecutable }),
    };

    const stop = (s: Stopping) => {
      stopping ??= s;
      abort.abort();
    };
    const hungAfterMs = settings.hungAfterMs ?? DEFAULT_HUNG_AFTER_MS;
    let watchdog: unknown;
    const arm = () => {
      if (watchdog !== undefined) timers.clearTimeout(watchdog);
      watchdog = timers.setTimeout(
        () => stop({ status: 'hung', reason: `hung: no message from Claude Code for ${hungAfterMs} ms` }),
        hungAfterMs,
      );
    };
    const onAbort = () => stop({ status: 'terminated', reason: 'terminated: aborted' });
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const outcome: Promise<ExecutionOutcome> = (async () => {
      let crash: string | undefined;
      arm();
      try {
        if (options.signal?.aborted) onAbort();
        const q: Query = runQuery({ prompt: request.prompt, options: sdkOptions });
        for await (const message of q) {
          arm();
          for (const e of mapper.map(message)) emit(e);
          if (stopping) break;
        }
      } catch (e) {
        // The SDK throws after an error result (WIRE.md); only a throw without a result is a crash.
        if (!mapper.result && !stopping) {
          const message = e instanceof Error ? e.message : String(e);
          const tail = stderrTail.join('').trim().split('\n').slice(-3).join(' | ');
          crash = `crashed: ${message}${tail && !message.includes(tail) ? ` (stderr: ${tail})` : ''}`;
        }
      } finally {
        if (watchdog !== undefined) timers.clearTimeout(watchdog);
        options.signal?.removeEventListener('abort', onAbort);
        if (!abort.signal.aborted && stopping) abort.abort();
        syncLogin();
        if (ownConfigDir) rmSync(configDir, { recursive: true, force: true });
        agentProcess.dispose();
      }
      const out = claudeCodeOutcome({
        mapper,
        stopping,
        crash,
        parseResult: request.outputSchema === undefined,
      });
      channel.close();
      return out;
    })();

    return {
      events: channel,
      outcome,
      terminate: async (reason: string) => {
        stop({ status: 'terminated', reason });
        await outcome;
      },
    };
  };

  return { specVersion: 'v1', name: 'claude-code', start };
}
