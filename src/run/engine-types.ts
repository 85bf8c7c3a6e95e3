import type { Plan } from '../domain/index.js';
import type { Executor } from '../executor/index.js';
import type { StoredEvent } from '../hub/index.js';
import type { SandboxDetection } from '../sandbox/index.js';

/** Wave strategies: the article's strict waves with synthesis between them, or dynamic dispatch. */
export type WaveMode = 'strict' | 'dynamic';

/** What `orchestra run` asks for: a request to plan, a plan file, or a run to resume. */
export interface RunOptions {
  cwd: string;
  request?: string;
  planFile?: string;
  resumeRunId?: string;
  /**
   * With `resumeRunId`: move the run onto the current HEAD of the checkout (say, after you
   * committed a fix there). Merged tasks are replayed onto it by the merge train, not redone.
   */
  rebase?: boolean;
  /** Skip the approval question. */
  yes?: boolean;
  /** Asked with the plan when `yes` is not set; `false` cancels. Required without `yes`. */
  approve?: (plan: Plan, shown: string) => Promise<boolean>;
  maxParallel?: number;
  contextBudget?: number;
  budgetUsd?: number;
  waves?: WaveMode;
  model?: string;
  /** Merge the integration branch into the user's current branch when everything is green. */
  merge?: boolean;
  /**
   * `single-agent`: after the orchestrated run, the same request is run by one agent alone (owning
   * everything, no packets, no validation rounds), recorded as the `baseline` layer for the report.
   */
  baseline?: 'single-agent';
  /** Run agents' commands and criteria without the OS sandbox (`--unsandboxed`); shown everywhere. */
  unsandboxed?: boolean;
  /** Seam: what `detectSandbox` would say (tests of the no-sandbox path). */
  sandboxDetection?: SandboxDetection;
  /** Extra paths kept visible read-only in the sandbox (default: the checkout and its git dir). */
  sandboxReadOnly?: readonly string[];
  /** Default: Claude Code with `env`. */
  executor?: Executor;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** Every event of the run as it is stored in the hub (progress views, --json). */
  onEvent?: (event: StoredEvent) => void;
  now?: () => Date;
}

/** How a run ended. `stopped`: cleanly halted (budget), resumable with `--resume`. */
export interface RunOutcome {
  runId: string;
  status: 'succeeded' | 'failed' | 'stopped';
  /** `orchestra/<run-id>/integration`: the branch for the user to review. */
  integrationBranch: string;
  merged: string[];
  failed: Array<{ taskId: string; reason: string }>;
  fixRounds: number;
  /** Open findings of the last validation (empty when green). */
  openIssues: string[];
  /** Checks that failed on the base and still fail at the end (never sent to a task). */
  preexisting: string[];
  /** Set when `merge` was asked and done. */
  mergedInto?: string;
  reason?: string;
}
