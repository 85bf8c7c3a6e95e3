import { z } from 'zod';

/** Thresholds that decide when an agent continues, is respawned with a handoff, or is given up. */
export const lifecycleConfigSchema = z
  .strictObject({
    /** Context use (fraction of the window) under which an agent simply continues. */
    continueBelow: z.number().gt(0).lt(1).default(0.7),
    /** Context use at which the agent is stopped and a fresh one continues from a handoff. */
    terminateAt: z.number().gt(0).max(1).default(0.85),
    /** Consecutive failed tool calls or checks before the task is reassigned. */
    maxConsecutiveFailures: z.number().int().positive().default(3),
    /** How many A→B→A modification cycles of one file count as a loop. */
    loopRepeat: z.number().int().min(2).default(3),
    /** Attempts per task (first run + respawns) before the run gives it up. */
    maxAttempts: z.number().int().positive().default(3),
    /** An agent silent (no stream event) this long is considered hung. */
    hungAfterMs: z.number().int().positive().default(600_000),
  })
  .refine((l) => l.continueBelow <= l.terminateAt, {
    message: 'continueBelow must not be greater than terminateAt',
  });

/** Claude Code settings sources a specialist may load (none by default: runs are reproducible). */
export const SETTING_SOURCES = ['user', 'project', 'local'] as const;

/** Limits and settings passed to each specialist's Claude Code process. */
export const executorConfigSchema = z.strictObject({
  maxTurns: z.number().int().positive().default(100),
  /** Spending cap per agent process in USD; absent = no cap. */
  maxBudgetUsd: z.number().positive().optional(),
  settingSources: z.array(z.enum(SETTING_SOURCES)).default([]),
});

/** When a worktree runs the setup command instead of linking the main checkout's dependencies. */
export const SETUP_WHEN = ['lockfile-changed', 'always', 'never'] as const;

/**
 * How a worktree gets the checkout's installed packages: copy (its own copy, cloned where the
 * filesystem can, so tools that write into their own package — vitest's type check does — work
 * inside the sandbox), link (a directory of links: instant, but such writes fail read-only), or auto
 * (copy up to 512 MiB of packages, link above or when the checkout's node_modules is a link).
 */
export const PACKAGES_MODES = ['auto', 'copy', 'link'] as const;
/** One of PACKAGES_MODES. */
export type PackagesMode = (typeof PACKAGES_MODES)[number];

/** How each task and integration worktree is made ready to run the project's commands. */
export const worktreeConfigSchema = z.strictObject({
  /**
   * The install command as an argument array (never a shell string), e.g. ["npm", "ci"]. Absent:
   * chosen from the lockfile (npm ci, pnpm install --frozen-lockfile, yarn install --frozen-lockfile).
   */
  setup: z.array(z.string().min(1)).min(1).optional(),
  /**
   * lockfile-changed: link the main checkout's node_modules while the worktree's lockfile equals
   * the checkout's, run the setup command where it differs; always: run it in every worktree;
   * never: only link.
   */
  runSetup: z.enum(SETUP_WHEN).default('lockfile-changed'),
  /** How the checkout's packages are shared while the lockfile is unchanged (see PACKAGES_MODES). */
  packages: z.enum(PACKAGES_MODES).default('auto'),
});

/** The OS sandbox around every command an agent, a criterion or a setup step runs. */
export const sandboxConfigSchema = z.strictObject({
  /** Network for agents' commands, criteria and setup (the agent process itself always reaches the model). */
  network: z.boolean().default(true),
  /** Writable: only the directories the ownership globs name (true) or the whole task worktree. */
  narrowToOwned: z.boolean().default(true),
});

/** Which variables of the user's environment reach agents and commands besides the allowlist. */
export const envConfigSchema = z.strictObject({
  /** Variable names passed as they are (e.g. a private registry's URL); tokens only if you mean it. */
  passThrough: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name')).default([]),
});

/** `orchestra.config.json` at the repository root. Unknown keys are errors: a typo must not pass silently. */
export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Model for agents whose definition names none: an alias (sonnet, opus, haiku) or a full id. */
  model: z.string().min(1).default('sonnet'),
  /** Specialists running at once. */
  maxParallel: z.number().int().positive().default(4),
  /** Estimated context tokens all tasks of one wave may use together. */
  contextBudget: z.number().int().positive().default(60_000),
  lifecycle: lifecycleConfigSchema.prefault({}),
  /** Packages no agent may add (the plan's own list is merged with this one). */
  excludedDependencies: z.array(z.string().min(1)).default([]),
  /** Rounds of asking the orchestrator to repair an invalid plan. */
  planRepairRounds: z.number().int().nonnegative().default(2),
  /** Rounds of fix tasks after integration validation finds problems. */
  fixRounds: z.number().int().nonnegative().default(3),
  executor: executorConfigSchema.prefault({}),
  worktree: worktreeConfigSchema.prefault({}),
  /**
   * Where worktrees live, outside the checkout (default: the per-user state directory; the
   * ORCHESTRA_STATE_DIR environment variable wins over this).
   */
  stateDir: z.string().min(1).optional(),
  sandbox: sandboxConfigSchema.prefault({}),
  env: envConfigSchema.prefault({}),
});

/** The project configuration with every default applied. */
export type OrchestraConfig = z.output<typeof configSchema>;
/** The configuration as written in the file: every key optional. */
export type OrchestraConfigInput = z.input<typeof configSchema>;
/** Lifecycle thresholds with defaults applied. */
export type LifecycleConfig = z.output<typeof lifecycleConfigSchema>;
/** Worktree settings with defaults applied. */
export type WorktreeConfig = z.output<typeof worktreeConfigSchema>;
/** Executor settings with defaults applied. */
export type ExecutorConfig = z.output<typeof executorConfigSchema>;

/** The configuration used when there is no `orchestra.config.json`. */
export const DEFAULT_CONFIG: OrchestraConfig = deepFreeze(configSchema.parse({}));

/** A fresh, mutable copy of the defaults. */
export function defaultConfig(): OrchestraConfig {
  return configSchema.parse({});
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
