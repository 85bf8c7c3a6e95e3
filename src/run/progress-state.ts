import type { StoredEvent } from '../hub/index.js';

/** What a task is doing, as the progress view shows it. */
export type ProgressTaskState =
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'terminated'
  | 'merged'
  | 'merge failed';

/** One task in the progress view. */
export interface ProgressTask {
  id: string;
  wave: number | null;
  agent: string | null;
  state: ProgressTaskState;
  attempt: number;
  /** Tokens of its usage events (input + cache + output), all attempts. */
  tokens: number;
  /** When its current (or last) attempt started and ended (ISO, from the events). */
  startedAt: string | null;
  endedAt: string | null;
  reason: string | null;
  packet: { tokens: number; fullContextTokens: number | null } | null;
}

/** One wave and its context budget in use. */
export interface ProgressWave {
  wave: number;
  tasks: string[];
  estimatedTokens: number;
  budget: number;
  startedAt: string;
  finished: boolean;
}

/** Everything the progress view knows, folded from the event stream. */
export interface ProgressState {
  runId: string | null;
  goal: string | null;
  startedAt: string | null;
  finished: { status: string; reason: string | null } | null;
  waves: ProgressWave[];
  tasks: Map<string, ProgressTask>;
  findings: number;
  fixes: number;
  conflicts: number;
  budgetExceeded: { spentUsd: number; budgetUsd: number } | null;
}

/** An empty state. */
export function createProgressState(): ProgressState {
  return {
    runId: null,
    goal: null,
    startedAt: null,
    finished: null,
    waves: [],
    tasks: new Map(),
    findings: 0,
    fixes: 0,
    conflicts: 0,
    budgetExceeded: null,
  };
}

function task(state: ProgressState, id: string): ProgressTask {
  let t = state.tasks.get(id);
  if (!t) {
    t = {
      id,
      wave: null,
      agent: null,
      state: 'queued',
      attempt: 0,
      tokens: 0,
      startedAt: null,
      endedAt: null,
      reason: null,
      packet: null,
    };
    state.tasks.set(id, t);
  }
  return t;
}

/** Fold one event into the state. */
export function applyEvent(state: ProgressState, e: StoredEvent): void {
  state.runId ??= e.runId;
  state.startedAt ??= e.at;
  const t = e.taskId === null ? undefined : task(state, e.taskId);
  switch (e.type) {
    case 'run.started':
      state.goal = e.goal;
      state.startedAt = e.at;
      break;
    case 'run.finished':
      state.finished = { status: e.status, reason: e.reason ?? null };
      break;
    case 'wave.started':
      state.waves.push({
        wave: e.wave,
        tasks: e.tasks,
        estimatedTokens: e.estimatedTokens,
        budget: e.budget,
        startedAt: e.at,
        finished: false,
      });
      for (const id of e.tasks) task(state, id).wave = e.wave;
      break;
    case 'wave.finished':
      for (const w of state.waves) if (w.wave === e.wave) w.finished = true;
      break;
    case 'task.queued':
      if (t) {
        t.state = 'queued';
        if (e.wave !== undefined) t.wave = e.wave;
      }
      break;
    case 'task.started':
      if (t)
        Object.assign(t, {
          state: 'running',
          agent: e.agent,
          attempt: e.attempt,
          startedAt: e.at,
          endedAt: null,
          reason: null,
        });
      break;
    case 'task.finished':
      if (t) Object.assign(t, { state: 'succeeded', endedAt: e.at, reason: null });
      break;
    case 'task.failed':
      if (t)
        Object.assign(t, {
          state: 'failed',
          endedAt: t.state === 'running' ? e.at : (t.endedAt ?? e.at),
          reason: e.reason,
        });
      break;
    case 'task.terminated':
      if (t)
        Object.assign(t, {
          state: 'terminated',
          endedAt: e.at,
          reason: e.detail ? `${e.reason}: ${e.detail}` : e.reason,
        });
      break;
    case 'usage':
      if (t) {
        const u = e.usage;
        t.tokens += u.inputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens + u.outputTokens;
      }
      break;
    case 'packet.built':
      if (t) t.packet = { tokens: e.tokens, fullContextTokens: e.fullContextTokens ?? null };
      break;
    case 'merge':
      if (t) t.state = e.ok ? 'merged' : 'merge failed';
      break;
    case 'validation.finding':
      state.findings++;
      break;
    case 'fix.created':
      state.fixes++;
      break;
    case 'conflict':
      state.conflicts++;
      break;
    case 'budget.exceeded':
      state.budgetExceeded = { spentUsd: e.spentUsd, budgetUsd: e.budgetUsd };
      break;
    default:
      break;
  }
}
