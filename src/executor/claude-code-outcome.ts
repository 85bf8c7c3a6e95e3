import { parseWith, taskResultSchema } from '../domain/index.js';
import type { ExecutionOutcome } from './executor.js';
import { resultStatus, type StreamMapper, toUsage } from './stream.js';

/** What the run loop knows when the process is gone. */
export interface OutcomeInputs {
  mapper: StreamMapper;
  /** Set when Orchestra stopped the process itself. */
  stopping?: { status: 'terminated' | 'hung'; reason: string } | undefined;
  /** Set when the process died without a result. */
  crash?: string | undefined;
  /** Parse the structured output as a TaskResult (false for a custom output schema). */
  parseResult: boolean;
}

/** Build the outcome of a Claude Code run from its stream and how it ended. */
export function claudeCodeOutcome(inputs: OutcomeInputs): ExecutionOutcome {
  const { mapper } = inputs;
  const r = mapper.result;
  const base = {
    usage: r?.usage ? toUsage(r.usage) : mapper.usage,
    costUsd: r?.total_cost_usd ?? 0,
    numTurns: r?.num_turns ?? 0,
    denials: mapper.denials,
    filesChanged: mapper.filesChanged,
    ...(mapper.sessionId === undefined ? {} : { sessionId: mapper.sessionId }),
  };
  if (inputs.stopping) return { ...base, status: inputs.stopping.status, reason: inputs.stopping.reason };
  if (!r)
    return {
      ...base,
      status: 'crashed',
      reason: inputs.crash ?? 'crashed: the process ended without a result',
    };
  const structured = r.structured_output === undefined ? {} : { structuredOutput: r.structured_output };
  const { status, reason } = resultStatus(r);
  if (status !== 'succeeded') return { ...base, ...structured, status, ...(reason ? { reason } : {}) };
  if (!inputs.parseResult) return { ...base, ...structured, status };
  if (r.structured_output === undefined) {
    return { ...base, status: 'failed', reason: 'no_result: the agent ended without its structured result' };
  }
  const parsed = parseWith(taskResultSchema, r.structured_output);
  if (!parsed.success) {
    return { ...base, ...structured, status: 'failed', reason: `invalid_result: ${parsed.error}` };
  }
  return { ...base, ...structured, status, result: parsed.value };
}
