/** Keys of the task header lines that open the per-task part of every specialist's system prompt. */
export const TASK_HEADER_KEYS = {
  task: 'orchestra-task',
  agent: 'orchestra-agent',
  run: 'orchestra-run',
} as const;

/** Who is running: the header lets logs, transcripts and scripted scenarios tell tasks apart. */
export interface TaskIdentity {
  taskId: string;
  agent: string;
  /** Absent for a packet built from a plan alone (no run yet). */
  runId?: string | undefined;
}

/** The header lines (`orchestra-task: T1` …), one per line. */
export function taskHeader(id: TaskIdentity): string {
  return [
    `${TASK_HEADER_KEYS.task}: ${id.taskId}`,
    `${TASK_HEADER_KEYS.agent}: ${id.agent}`,
    ...(id.runId === undefined ? [] : [`${TASK_HEADER_KEYS.run}: ${id.runId}`]),
  ].join('\n');
}

/** Whether `text` already carries the header line of task `taskId`. */
export function hasTaskHeader(text: string, taskId: string): boolean {
  return text.split('\n').includes(`${TASK_HEADER_KEYS.task}: ${taskId}`);
}
