import type { AgentDefinition, Plan } from '../domain/index.js';
import { UserError } from '../errors.js';
import type { AgentSandbox } from '../executor/index.js';
import { specialistTools } from '../executor/index.js';
import {
  type CommandSandbox,
  detectSandbox,
  prepareCommand,
  type SandboxDetection,
} from '../sandbox/index.js';
import type { CommandRunner as SetupRunner } from '../workspace/index.js';
import { runCommand } from '../workspace/index.js';

/** How a run confines its agents and commands, decided once at its start. */
export interface RunSandbox {
  /** What the executor gets for each specialist. */
  agent: AgentSandbox;
  /** What criteria (and setup commands) run in. */
  commands: CommandSandbox;
  /** `env.passThrough` of the config. */
  passThrough: readonly string[];
  /** One line for the plan approval, progress and the report. */
  summary: string;
  /** True when the user chose to run without a sandbox. */
  unsandboxed: boolean;
}

/** Whether a plan needs the sandbox: a specialist with Bash, or a success criterion with a command. */
export function planNeedsSandbox(
  plan: Plan,
  agents: ReadonlyMap<string, AgentDefinition>,
): string | undefined {
  for (const t of plan.tasks) {
    const agent = agents.get(t.agent);
    if (specialistTools(agent?.tools).includes('Bash')) return `task ${t.id} (${t.agent}) has Bash`;
    if (t.successCriteria.some((c) => c.command !== undefined))
      return `task ${t.id} has success-criteria commands`;
  }
  return undefined;
}

/**
 * Decide the run's sandbox. No silent fallback: when the plan needs one and none can start, the
 * run stops here (exit 2) with how to install bubblewrap, unless the user passed `--unsandboxed`.
 */
export function resolveRunSandbox(s: {
  plan: Plan;
  agents: ReadonlyMap<string, AgentDefinition>;
  unsandboxed: boolean;
  network: boolean;
  narrowToOwned: boolean;
  passThrough: readonly string[];
  /** Kept visible although under the temporary directory: the checkout and the git common dir. */
  readOnly: readonly string[];
  detection?: SandboxDetection;
}): RunSandbox {
  const base = { network: s.network, readOnly: s.readOnly, passThrough: s.passThrough };
  if (s.unsandboxed) {
    return {
      agent: { runtime: null },
      commands: { ...base, runtime: null },
      passThrough: s.passThrough,
      summary: 'sandbox: OFF (--unsandboxed): agent commands and success criteria run unconfined',
      unsandboxed: true,
    };
  }
  const detection = s.detection ?? detectSandbox();
  if (!detection.available) {
    const need = planNeedsSandbox(s.plan, s.agents);
    if (need) {
      throw new UserError('no-sandbox', `${need}, but ${detection.reason}.\n${detection.hint}`);
    }
    return {
      agent: { runtime: null },
      commands: { ...base, runtime: null },
      passThrough: s.passThrough,
      summary: `sandbox: none (${detection.reason}); no task runs commands`,
      unsandboxed: false,
    };
  }
  const r = detection.runtime;
  const name = r.kind === 'bubblewrap' ? `bubblewrap${r.version ? ` ${r.version}` : ''}` : 'sandbox-exec';
  return {
    agent: { runtime: r, network: s.network, readOnly: s.readOnly, narrowToOwned: s.narrowToOwned },
    commands: { ...base, runtime: r },
    passThrough: s.passThrough,
    summary: `sandbox: ${name}, writes only in owned directories, network ${s.network ? 'on' : 'off'}`,
    unsandboxed: false,
  };
}

/**
 * The runner of a worktree's setup command, confined like a criterion: writable only the worktree,
 * the package caches and a private HOME and /tmp. It keeps the network whatever `sandbox.network`
 * says, because installing packages is what it is for.
 */
export function sandboxedSetupRunner(sandbox: CommandSandbox): SetupRunner {
  return async (argv, options) => {
    const prepared = prepareCommand({ ...sandbox, network: true }, { argv, cwd: options.cwd });
    try {
      const { command, args, cwd, env } = prepared.command;
      return await runCommand([command, ...args], { ...options, cwd, env });
    } finally {
      prepared.dispose();
    }
  };
}
