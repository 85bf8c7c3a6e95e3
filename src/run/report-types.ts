import type { TaskStatus } from '../hub/index.js';

/** Version of the report's JSON shape; bump when a field changes meaning. */
export const REPORT_VERSION = 1;

/** Token and cost sums of usage rows, exactly as stored (no rounding). */
export interface TokenFigures {
  /** Usage rows summed. */
  calls: number;
  inputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  outputTokens: number;
  /** input + cache creation + cache read + output. */
  totalTokens: number;
  costUsd: number;
}

/** The layers a report accounts, in the article's order (the baseline is reported on its own). */
export const REPORT_LAYERS = ['orchestrator', 'specialist', 'validation'] as const;
export type ReportLayer = (typeof REPORT_LAYERS)[number];

/** What one layer spent. */
export interface LayerReport extends TokenFigures {
  layer: ReportLayer;
  /** Time spent in the layer (ms, summed over its timed intervals); null when the hub has no timing for it. */
  timeMs: number | null;
}

/** One attempt of a task, from its events. */
export interface AttemptRow {
  attempt: number;
  outcome: 'finished' | 'failed' | 'terminated' | 'running';
  /** Why it failed or was terminated (terminations: the monitor's reason, e.g. "context", "loop"). */
  reason: string | null;
  detail: string | null;
  timeMs: number | null;
}

/** The packet a task started with, against the full context it would otherwise have needed. */
export interface PacketFigures {
  attempt: number;
  tokens: number;
  budget: number;
  /** Every file the task reads or owns plus all hub state; null when not measured. */
  fullContextTokens: number | null;
  omitted: string[];
}

/** One task of the run. */
export interface TaskReport {
  id: string;
  agent: string;
  /** The hub's status; `pending` for a planned task the run has not reached. */
  status: TaskStatus | 'pending';
  wave: number | null;
  branch: string | null;
  attempts: number;
  usage: TokenFigures;
  /** Summed time of its attempts (task.started → finished/failed/terminated). */
  timeMs: number | null;
  attemptLog: AttemptRow[];
  /** The stored reason of a failed or terminated task. */
  reason: string | null;
  /** The latest packet built for it. */
  packet: PacketFigures | null;
  conflicts: number;
  fixes: number;
  /** How its worktree was made ready (linked packages or the setup command) and how long that took. */
  setup: WorktreeSetupFigures | null;
}

/** The preparation of a task's worktrees (from its worktree.ready events), summed. */
export interface WorktreeSetupFigures {
  /** The last preparation: copied, linked, command or none. */
  kind: 'copied' | 'linked' | 'command' | 'none';
  /** The setup command, when one ran. */
  command: string[] | null;
  ok: boolean;
  /** Time of every preparation of the task's worktrees together. */
  ms: number;
  /** The tasks whose merged work its worktree started from. */
  dependencies: string[];
}

/** One wave of the run, from wave.started / wave.finished. */
export interface WaveReport {
  wave: number;
  tasks: string[];
  estimatedTokens: number;
  budget: number;
  startedAt: string;
  finishedAt: string | null;
  timeMs: number | null;
  merged: string[];
  failed: string[];
}

/** The single-agent baseline run of the same request (usage of layer `baseline`). */
export interface BaselineReport {
  usage: TokenFigures;
  timeMs: number | null;
  /** The baseline task's status, or its last outcome; null when unknown. */
  result: string | null;
  taskIds: string[];
}

/** Everything `orchestra report` shows, as pure data read from the hub. */
export interface RunReport {
  version: typeof REPORT_VERSION;
  run: {
    id: string;
    goal: string;
    status: string;
    baseCommit: string | null;
    createdAt: string;
    updatedAt: string;
    /** run.started → run.finished (else creation → last update). */
    timeMs: number | null;
    /** The reason run.finished gave, if any. */
    reason: string | null;
    /** How agents' commands were confined (`sandbox: bubblewrap …` or `sandbox: OFF (--unsandboxed) …`). */
    sandbox?: string;
  };
  layers: LayerReport[];
  /** The orchestrated run's total: every layer except the baseline. */
  total: TokenFigures & { timeMs: number | null };
  tasks: TaskReport[];
  waves: WaveReport[];
  merged: string[];
  /** Orchestrated total tokens ÷ merged tasks; null when nothing merged. */
  tokensPerMergedTask: number | null;
  costPerMergedTask: number | null;
  /** Packet vs full context over the tasks that have both figures (the article's 650 vs 15,000). */
  context: { tasks: number; packetTokens: number; fullContextTokens: number };
  conflicts: Array<{ id: number; kind: string; files: string[]; tasks: string[]; detail: string | null }>;
  fixes: Array<{
    id: number;
    ownerTask: string;
    description: string;
    source: string | null;
    status: string;
    /** The fix round that carried it (from fix.created); null for change requests and old runs. */
    round: number | null;
  }>;
  /** Fix rounds played (fix.round events), over all waves. */
  fixRounds: number;
  /** Fixes not sent again because their owner could not act on them, and to whom they went. */
  escalations: Array<{ owner: string; to: string; reason: string; fixIds: number[] }>;
  /** What already failed on the run's base (latest base check): reported, never sent to a task. */
  base: {
    commit: string;
    typescript: string;
    typeErrors: number;
    criteria: number;
    /** Base failures never sent to a task. */
    failing: string[];
    /**
     * Checks that failed on the base but failed differently after the merges, so a fix was sent
     * for them (listed with their fixes, never under "never sent").
     */
    sent: Array<{ failing: string; fixIds: number[] }>;
  } | null;
  /** Validation findings, each distinct one once; `count`: how many validations reported it. */
  findings: Array<{
    taskId: string | null;
    kind: string;
    severity: 'error' | 'warning';
    message: string;
    count: number;
  }>;
  budgetExceeded: { spentUsd: number; budgetUsd: number } | null;
  baseline: BaselineReport | null;
}
