import { DEFAULT_CONFIG } from './schema.js';

const d = DEFAULT_CONFIG;
const l = d.lifecycle;

/**
 * The commented `orchestra.config.json` that `orchestra init` writes. Every value is the default,
 * so deleting a line changes nothing; a test parses it back to DEFAULT_CONFIG so the two never drift.
 */
export const CONFIG_TEMPLATE = `// Orchestra project configuration. Comments are allowed; every value below is the default.
{
  // Model for agents whose definition names none: sonnet, opus, haiku, or a full id (claude-…).
  "model": ${JSON.stringify(d.model)},

  // How many specialists run at the same time.
  "maxParallel": ${d.maxParallel},

  // Estimated context tokens all the tasks of one wave may use together.
  "contextBudget": ${d.contextBudget},

  // When an agent is continued, stopped and respawned from a handoff, or given up.
  "lifecycle": {
    // Context use (fraction of the window) under which an agent simply continues.
    "continueBelow": ${l.continueBelow},
    // Context use at which it is stopped and a fresh agent continues from a handoff.
    "terminateAt": ${l.terminateAt},
    // Consecutive failures before the task is reassigned.
    "maxConsecutiveFailures": ${l.maxConsecutiveFailures},
    // A→B→A modifications of the same file this many times count as a loop.
    "loopRepeat": ${l.loopRepeat},
    // Attempts per task before the run gives it up.
    "maxAttempts": ${l.maxAttempts},
    // Milliseconds without any sign of life before an agent counts as hung.
    "hungAfterMs": ${l.hungAfterMs}
  },

  // Packages no agent may add, e.g. ["socket.io", "lodash"].
  "excludedDependencies": [],

  // Rounds of asking the orchestrator to repair a plan that fails validation.
  "planRepairRounds": ${d.planRepairRounds},

  // Rounds of fix tasks after integration validation finds problems.
  "fixRounds": ${d.fixRounds},

  // Settings for each specialist's Claude Code process.
  "executor": {
    "maxTurns": ${d.executor.maxTurns},
    // Add "maxBudgetUsd": 2.5 to cap what one agent process may spend.
    // Claude Code settings to load ("user", "project", "local"); none keeps runs reproducible.
    "settingSources": []
  },

  // How each worktree gets the project's dependencies: the checkout's node_modules is linked while
  // the lockfile is unchanged; where it changed, the setup command runs ("always": everywhere).
  "worktree": {
    // Add "setup": ["npm", "ci"] to choose the install command (default: from the lockfile).
    "runSetup": ${JSON.stringify(d.worktree.runSetup)}
  }

  // Add "stateDir": "/path" to keep worktrees elsewhere than the per-user state directory
  // (~/.local/state/orchestra on Linux; ORCHESTRA_STATE_DIR overrides both).
}
`;
