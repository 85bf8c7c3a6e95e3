import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packageCaches } from './caches.js';
import { sandboxCommand, unconfinedCommand } from './command.js';
import { commandEnv } from './env.js';
import { nodeModulesLayers } from './owned-dirs.js';
import type { SandboxCommand, SandboxRuntime } from './spec.js';

/** How the commands of a run are confined (criteria, setup). */
export interface CommandSandbox {
  /** The sandbox to start; `null` when the user chose `--unsandboxed` (the environment is still minimal). */
  runtime: SandboxRuntime | null;
  /** Network for commands (`sandbox.network`, default on). */
  network: boolean;
  /** Kept visible read-only although under the temporary directory: the checkout, the git common dir. */
  readOnly?: readonly string[];
  /** Variable names of the user's environment to pass (`env.passThrough`). */
  passThrough?: readonly string[];
  /** The environment the allowlist picks from (default: process.env). */
  baseEnv?: Readonly<Record<string, string | undefined>>;
  /** The user's home, for the package caches (default: os.homedir()). */
  home?: string;
}

/** A command ready to spawn, and the removal of its private directory afterwards. */
export interface PreparedCommand {
  command: SandboxCommand;
  dispose: () => void;
}

/**
 * Turn `argv` run in `cwd` into a confined command: writable only `cwd` (plus `writable`), the
 * package caches and a private HOME and /tmp; the environment is the allowlist without the model's
 * credentials. For success criteria and setup commands.
 */
export function prepareCommand(
  sandbox: CommandSandbox,
  request: { argv: readonly string[]; cwd: string; writable?: readonly string[] },
): PreparedCommand {
  const priv = realpathSync(mkdtempSync(path.join(tmpdir(), 'orchestra-cmd-')));
  const dispose = () => rmSync(priv, { recursive: true, force: true });
  try {
    const home = path.join(priv, 'home');
    const tmp = path.join(priv, 'tmp');
    mkdirSync(home);
    mkdirSync(tmp);
    const caches = packageCaches(sandbox.home);
    const env = commandEnv(sandbox.baseEnv ?? process.env, {
      home,
      ...(sandbox.passThrough ? { passThrough: sandbox.passThrough } : {}),
      set: caches.env,
    });
    const cwd = realpathSync(request.cwd);
    const packages = nodeModulesLayers(cwd);
    const spec = {
      argv: request.argv,
      cwd,
      writable: [cwd, home, ...caches.dirs, ...packages.writable, ...(request.writable ?? [])],
      readOnly: [...(sandbox.readOnly ?? []), priv],
      privateDirs: packages.privateDirs,
      network: sandbox.network,
      env,
    };
    const command = sandbox.runtime ? sandboxCommand(sandbox.runtime, spec, tmp) : unconfinedCommand(spec);
    return { command, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}
