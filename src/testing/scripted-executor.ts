import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EventPayload } from '../domain/index.js';
import { parseWith, taskResultSchema } from '../domain/index.js';
import {
  addUsage,
  buildSystemPrompt,
  Channel,
  type Denial,
  decideToolUse,
  type Execution,
  type ExecutionOutcome,
  type ExecutionRequest,
  type Executor,
  emptyUsage,
  type OwnershipPolicy,
  type StartOptions,
  sha256,
  specialistTools,
  systemTimers,
  type Timers,
  targetPathOf,
} from '../executor/index.js';
import type { ModelRequestBody } from './model-request.js';
import { type Scenario, type ToolCall, turnUsage } from './scenario.js';
import { ScenarioPlayer } from './scenario-player.js';

/** Settings of `createScriptedExecutor`. */
export interface ScriptedExecutorSettings {
  /** What "the model" does, matched like the scripted server matches (task header, agent, text). */
  scenario: Scenario;
  /** API errors in a row retried before the run fails (Claude Code's CLAUDE_CODE_MAX_RETRIES). Default 2. */
  maxRetries?: number;
  /** Silence after which a run is `hung` (default 10 minutes), on `timers`. */
  hungAfterMs?: number;
  timers?: Timers;
}

/** A ScriptedExecutor: an Executor plus a way to wait for a scripted hang. */
export interface ScriptedExecutor extends Executor {
  /** Resolves once some run reached a `hang()` turn. */
  hanging(): Promise<void>;
}

type Stop = { status: 'terminated' | 'hung'; reason: string };

/**
 * An in-process Executor that plays a scenario with no model and no Claude Code: writes go through
 * the same ownership decision, files really change in `cwd`, Bash really runs. Events and outcomes
 * follow the Executor spec, so other layers can be tested fast against it.
 */
export function createScriptedExecutor(settings: ScriptedExecutorSettings): ScriptedExecutor {
  const player = new ScenarioPlayer(settings.scenario);
  const timers = settings.timers ?? systemTimers;
  const maxRetries = settings.maxRetries ?? 2;
  const hungAfterMs = settings.hungAfterMs ?? 10 * 60_000;
  let runSeq = 0;
  let hangReached: () => void = () => {};
  const hangPromise = new Promise<void>((resolve) => {
    hangReached = resolve;
  });

  const start = (request: ExecutionRequest, options: StartOptions = {}): Execution => {
    const channel = new Channel<EventPayload>();
    const emit = (e: EventPayload) => {
      try {
        options.onEvent?.(e);
      } catch {
        // observers never break a run
      }
      channel.push(e);
    };
    let stop: Stop | undefined;
    let wake: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const halt = (s: Stop) => {
      stop ??= s;
      wake();
    };
    const onAbort = () => halt({ status: 'terminated', reason: 'terminated: aborted' });
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const policy: OwnershipPolicy = {
      worktree: request.cwd,
      owns: request.owns,
      taskId: request.taskId,
      ...(request.ownerOf ? { ownerOf: request.ownerOf } : {}),
    };
    const system = buildSystemPrompt(
      { taskId: request.taskId, agent: request.agent.name, runId: request.runId },
      request.agent.prompt,
      request.packet,
    );
    const body: ModelRequestBody = {
      model: request.model ?? 'claude-scripted',
      // A per-start block keeps two identical requests apart as two conversations.
      system: [
        { type: 'text', text: `scripted-execution: ${++runSeq}` },
        { type: 'text', text: system },
      ],
      messages: [{ role: 'user', content: request.prompt }],
      tools: [...specialistTools(request.agent.tools), 'StructuredOutput'].map((name) => ({ name })),
    };
    const maxTurns = request.maxTurns ?? request.agent.maxTurns;
    const changed = new Set<string>();
    const denials: Denial[] = [];
    let usage = emptyUsage();
    let numTurns = 0;
    let toolSeq = 0;
    let watchdog: unknown;

    const runTool = async (
      c: ToolCall,
      id: string,
    ): Promise<{ ok: boolean; text: string; structured?: unknown }> => {
      emit({ type: 'tool.used', tool: c.name, input: c.input, toolUseId: id });
      if (c.name === 'StructuredOutput') return { ok: true, text: 'ok', structured: c.input };
      const d = decideToolUse(policy, c.name, c.input, request.cwd);
      if (d.behavior === 'deny') {
        const denial = { tool: c.name, reason: d.reason, ...(d.path === undefined ? {} : { path: d.path }) };
        denials.push(denial);
        emit({ type: 'tool.denied', ...denial });
        return { ok: false, text: d.reason };
      }
      try {
        const text = await perform(c, request.cwd);
        if (d.behavior === 'allow') {
          changed.add(d.path);
          const abs = path.join(request.cwd, d.path);
          emit({ type: 'file.changed', path: d.path, sha256: sha256(readFileSync(abs)) });
        }
        return { ok: true, text };
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        emit({ type: 'tool.failed', tool: c.name, error, toolUseId: id });
        return { ok: false, text: error };
      }
    };

    const play = async (): Promise<
      Omit<ExecutionOutcome, 'usage' | 'denials' | 'filesChanged' | 'costUsd'>
    > => {
      let errorsInRow = 0;
      let nudged = false;
      for (;;) {
        if (watchdog !== undefined) timers.clearTimeout(watchdog);
        watchdog = undefined;
        if (stop) return { status: stop.status, reason: stop.reason, numTurns };
        watchdog = timers.setTimeout(
          () =>
            halt({
              status: 'hung',
              reason: `hung: no message from the scripted agent for ${hungAfterMs} ms`,
            }),
          hungAfterMs,
        );
        const decision = player.next(body);
        if (decision.kind === 'side') continue;
        if (decision.kind === 'unmatched') {
          return { status: 'failed', reason: `api_error: scripted executor: ${decision.reason}`, numTurns };
        }
        const turn = decision.turn;
        if (turn.kind === 'hang') {
          hangReached();
          await stopped;
          continue;
        }
        if (turn.kind === 'error') {
          errorsInRow++;
          if (errorsInRow > maxRetries) {
            return {
              status: 'failed',
              reason: `api_error: ${turn.status} ${turn.message ?? ''}`.trim(),
              numTurns,
            };
          }
          emit({
            type: 'api.retry',
            attempt: errorsInRow,
            status: turn.status,
            error: turn.message ?? `scripted ${turn.status}`,
          });
          continue;
        }
        errorsInRow = 0;
        numTurns++;
        const u = turnUsage(turn);
        const turnUse = {
          inputTokens: u.input,
          outputTokens: u.output,
          cacheCreationInputTokens: u.cacheCreation,
          cacheReadInputTokens: u.cacheRead,
        };
        usage = addUsage(usage, turnUse);
        emit({
          type: 'usage',
          model: turn.model ?? decision.model ?? body.model,
          messageId: `scripted_${runSeq}_${numTurns}`,
          usage: turnUse,
        });
        if (turn.kind === 'text') {
          if (nudged)
            return {
              status: 'failed',
              reason: 'no_result: the agent ended without its structured result',
              numTurns,
            };
          nudged = true;
          body.messages.push(
            { role: 'assistant', content: turn.text },
            { role: 'user', content: 'Call StructuredOutput now.' },
          );
          continue;
        }
        const results: Array<Record<string, unknown>> = [];
        let structured: unknown;
        let gotStructured = false;
        for (const c of turn.calls) {
          const id = c.id ?? `toolu_scripted_${++toolSeq}`;
          const r = await runTool(c, id);
          if ('structured' in r) {
            structured = r.structured;
            gotStructured = true;
          }
          results.push({
            type: 'tool_result',
            tool_use_id: id,
            content: r.text,
            ...(r.ok ? {} : { is_error: true }),
          });
        }
        if (gotStructured) return finish(structured, numTurns);
        body.messages.push(
          { role: 'assistant', content: JSON.stringify(turn.calls) },
          { role: 'user', content: results as never },
        );
        if (maxTurns !== undefined && numTurns >= maxTurns) {
          return {
            status: 'failed',
            reason: `max_turns: Reached maximum number of turns (${maxTurns})`,
            numTurns,
          };
        }
      }
    };

    const finish = (structured: unknown, turns: number) => {
      if (request.outputSchema !== undefined)
        return { status: 'succeeded' as const, structuredOutput: structured, numTurns: turns };
      const parsed = parseWith(taskResultSchema, structured);
      if (!parsed.success) {
        return {
          status: 'failed' as const,
          reason: `invalid_result: ${parsed.error}`,
          structuredOutput: structured,
          numTurns: turns,
        };
      }
      return {
        status: 'succeeded' as const,
        result: parsed.value,
        structuredOutput: structured,
        numTurns: turns,
      };
    };

    const outcome: Promise<ExecutionOutcome> = (async () => {
      if (options.signal?.aborted) onAbort();
      let end: Awaited<ReturnType<typeof play>>;
      try {
        end = await play();
      } catch (e) {
        end = {
          status: 'crashed',
          reason: `crashed: ${e instanceof Error ? e.message : String(e)}`,
          numTurns,
        };
      }
      if (watchdog !== undefined) timers.clearTimeout(watchdog);
      options.signal?.removeEventListener('abort', onAbort);
      channel.close();
      return { ...end, usage, costUsd: 0, denials, filesChanged: [...changed] };
    })();

    return {
      events: channel,
      outcome,
      terminate: async (reason) => {
        halt({ status: 'terminated', reason });
        await outcome;
      },
    };
  };

  return { specVersion: 'v1', name: 'scripted', start, hanging: () => hangPromise };
}

/** Carry out one non-structured tool call in `cwd` (Write, Edit, MultiEdit, Read, Bash; others are no-ops). */
async function perform(c: ToolCall, cwd: string): Promise<string> {
  const input = c.input;
  const target = targetPathOf(input);
  const abs = target === undefined ? undefined : path.resolve(cwd, target);
  switch (c.name) {
    case 'Write': {
      if (!abs) throw new Error('Write without file_path');
      mkdirSync(path.dirname(abs), { recursive: true });
      writeFileSync(abs, String(input.content ?? ''));
      return `File written: ${target}`;
    }
    case 'Edit':
    case 'MultiEdit': {
      if (!abs) throw new Error(`${c.name} without file_path`);
      let text = readFileSync(abs, 'utf8');
      const edits =
        c.name === 'Edit'
          ? [input]
          : Array.isArray(input.edits)
            ? (input.edits as Array<Record<string, unknown>>)
            : [];
      for (const e of edits) {
        const oldString = String(e.old_string ?? '');
        if (!text.includes(oldString)) throw new Error(`String to replace not found in file: ${oldString}`);
        text =
          e.replace_all === true
            ? text.split(oldString).join(String(e.new_string ?? ''))
            : text.replace(oldString, String(e.new_string ?? ''));
      }
      writeFileSync(abs, text);
      return `File edited: ${target}`;
    }
    case 'Read':
      if (!abs) throw new Error('Read without file_path');
      return readFileSync(abs, 'utf8');
    case 'Bash':
      return await new Promise((resolve, reject) => {
        execFile(
          'bash',
          ['-c', String(input.command ?? '')],
          { cwd, timeout: 60_000 },
          (err, stdout, stderr) => {
            if (err) reject(new Error(`Exit code ${err.code ?? 1}\n${stderr}`));
            else resolve(stdout);
          },
        );
      });
    default:
      return 'ok';
  }
}
