import type { OrchestraConfig } from '../config/index.js';
import type { AgentDefinition, Plan } from '../domain/index.js';
import type { Executor, RunWorktrees } from '../executor/index.js';
import type { Hub } from '../hub/index.js';
import type { ValidationReport } from '../validator/index.js';
import type { RunOptions } from './engine-types.js';
import type { RunSettings } from './run-setup.js';
import type { RunSandbox } from './sandbox-setup.js';

/** What every step of a run shares. */
export interface EngineContext {
  options: RunOptions;
  hub: Hub;
  repoRoot: string;
  commonDir: string;
  runId: string;
  plan: Plan;
  settings: RunSettings;
  config: OrchestraConfig;
  agents: Map<string, AgentDefinition>;
  worktrees: RunWorktrees;
  /** The run was resumed: what was merged before is validated again before anything new runs. */
  resumed: boolean;
  executor: Executor;
  /** How agents and commands are confined. */
  sandbox: RunSandbox;
  /** The newest validation of the integration branch. */
  lastReport: ValidationReport | undefined;
}

/** How dispatch ended. */
export interface DispatchResult {
  status: 'succeeded' | 'failed' | 'stopped';
  fixRounds: number;
  reason?: string;
}
