/** Keys of the task header lines that open every specialist's system prompt. */
export const TASK_HEADER_KEYS = {
  task: 'orchestra-task',
  agent: 'orchestra-agent',
  run: 'orchestra-run',
} as const;

/** Who is running: the header lets logs, transcripts and scripted scenarios tell tasks apart. */
export interface TaskIdentity {
  taskId: string;
  agent: string;
  runId: string;
}

/** The header lines (`orchestra-task: T1` …), one per line. */
export function taskHeader(id: TaskIdentity): string {
  return [
    `${TASK_HEADER_KEYS.task}: ${id.taskId}`,
    `${TASK_HEADER_KEYS.agent}: ${id.agent}`,
    `${TASK_HEADER_KEYS.run}: ${id.runId}`,
  ].join('\n');
}

/** System prompt of a specialist: the task header, the agent definition's body, then the context packet. */
export function buildSystemPrompt(id: TaskIdentity, agentBody: string, packet: string): string {
  const parts = [taskHeader(id), agentBody.trim(), packet.trim()].filter((p) => p.length > 0);
  return parts.join('\n\n');
}
