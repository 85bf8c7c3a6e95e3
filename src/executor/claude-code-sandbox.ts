import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import {
  agentEnv,
  ensureDirs,
  installShellPrefix,
  nodeModulesLayers,
  ownedDirs,
  packageCaches,
  type SandboxRuntime,
  sandboxCommand,
} from '../sandbox/index.js';

/** How the agent processes of a run are confined. */
export interface AgentSandbox {
  /** The sandbox to start; `null` when the user chose `--unsandboxed` (the environment stays minimal). */
  runtime: SandboxRuntime | null;
  /** Network for the agent's commands (default on). The agent process itself always reaches the model. */
  network?: boolean;
  /** Kept visible read-only although under the temporary directory: the checkout, the git common dir. */
  readOnly?: readonly string[];
  /** Writable: only the directories the ownership globs name (default), or the whole worktree. */
  narrowToOwned?: boolean;
  /** The user's home, for the package caches (default: os.homedir()). */
  home?: string;
}

/** What one Claude Code process is started with. */
export interface AgentProcess {
  env: Record<string, string>;
  /** The SDK's `spawnClaudeCodeProcess`, when the process is sandboxed. */
  spawn?: (options: SpawnOptions) => SpawnedProcess;
  /** Removes the process's private directory (home, prefix script). */
  dispose: () => void;
}

/**
 * The environment and the spawn of one Claude Code process. The whole process runs inside the
 * sandbox (every tool and every child inherits it), with network so it reaches the model; its Bash
 * commands pass through the prefix script, which drops the model's credentials, hides the agent
 * process and cuts the network when `network` is off. See docs/decisions/2026-12-02-sandbox.md.
 */
export function prepareAgentProcess(settings: {
  worktree: string;
  owns: readonly string[];
  baseEnv: Readonly<Record<string, string | undefined>>;
  passThrough?: readonly string[];
  /** Orchestra's own variables for this process (applied over the allowlist). */
  set: Readonly<Record<string, string>>;
  configDir: string;
  sandbox?: AgentSandbox;
  onStderr: (data: string) => void;
}): AgentProcess {
  const priv = realpathSync(mkdtempSync(path.join(tmpdir(), 'orchestra-agent-')));
  const dispose = () => rmSync(priv, { recursive: true, force: true });
  const home = path.join(priv, 'home');
  mkdirSync(home);
  const caches = packageCaches(settings.sandbox?.home);
  const env = agentEnv(settings.baseEnv, {
    home,
    ...(settings.passThrough ? { passThrough: settings.passThrough } : {}),
    set: { ...caches.env, ...settings.set },
  });
  const runtime = settings.sandbox?.runtime;
  if (!runtime || !settings.sandbox) return { env, dispose };
  const sandbox = settings.sandbox;
  const network = sandbox.network ?? true;
  env.CLAUDE_CODE_SHELL_PREFIX = installShellPrefix(path.join(priv, 'bin'));
  env.SHELL = '/bin/bash';
  env.ORCHESTRA_SANDBOX_NETWORK = network ? 'on' : 'off';
  if (runtime.kind === 'bubblewrap') env.ORCHESTRA_BWRAP = runtime.path;
  const worktree = realpathSync(settings.worktree);
  const writable =
    sandbox.narrowToOwned === false ? [worktree] : ensureDirs(ownedDirs(worktree, settings.owns));
  const configDir = realpathSync(settings.configDir);
  const spawnInSandbox = (o: SpawnOptions): SpawnedProcess => {
    const processEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.env)) if (v !== undefined) processEnv[k] = v;
    const packages = nodeModulesLayers(worktree);
    const command = sandboxCommand(
      runtime,
      {
        argv: [o.command, ...o.args],
        cwd: o.cwd ?? worktree,
        writable: [...writable, configDir, home, ...caches.dirs, ...packages.writable],
        readOnly: [
          worktree,
          priv,
          ...(path.isAbsolute(o.command) ? [path.dirname(realpathSync(o.command))] : []),
          ...(sandbox.readOnly ?? []),
        ],
        privateDirs: packages.privateDirs,
        network: true,
        env: processEnv,
      },
      path.join(priv, 'tmp'),
    );
    if (runtime.kind === 'sandbox-exec') mkdirSync(path.join(priv, 'tmp'), { recursive: true });
    const child = spawn(command.command, command.args, {
      cwd: command.cwd,
      env: command.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: o.signal,
    });
    child.stderr.on('data', (d: Buffer) => settings.onStderr(d.toString('utf8')));
    return child as unknown as SpawnedProcess;
  };
  return { env, spawn: spawnInSandbox, dispose };
}
