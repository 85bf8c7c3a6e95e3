import { hasTaskHeader, type TaskIdentity, taskHeader } from '../domain/index.js';

export { TASK_HEADER_KEYS, type TaskIdentity, taskHeader } from '../domain/index.js';

/** What the SDK is given: Claude Code's own system prompt with Orchestra's text appended. */
export interface PresetSystemPrompt {
  type: 'preset';
  preset: 'claude_code';
  append: string;
}

/**
 * The text appended to Claude Code's system prompt. A packet from `buildPacket` already holds the
 * agent's role, the run's context and the task (with its header), and is sent byte for byte, so
 * `orchestra task context` shows exactly what the model reads. A bare packet (tests, callers
 * without the hub) gets the role first, then the header, then the packet: the same order.
 */
export function buildSystemPrompt(id: TaskIdentity, agentBody: string, packet: string): string {
  if (hasTaskHeader(packet, id.taskId)) return packet;
  const parts = [agentBody.trim(), taskHeader(id), packet.trim()].filter((p) => p.length > 0);
  return parts.join('\n\n');
}

/** Claude Code's preset prompt (tools, environment, git guidance) plus Orchestra's text. */
export function presetSystemPrompt(append: string): PresetSystemPrompt {
  return { type: 'preset', preset: 'claude_code', append };
}
