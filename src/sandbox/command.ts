import { bwrapCommand, toolPaths } from './bwrap.js';
import { sandboxExecCommand } from './macos.js';
import { secretPaths } from './secrets.js';
import type { SandboxCommand, SandboxRuntime, SandboxSpec } from './spec.js';

/**
 * The spawnable command that runs `spec.argv` confined by `runtime`. `tmpDir` is the private
 * temporary directory on macOS (Linux mounts a fresh one at /tmp instead and ignores it).
 */
export function sandboxCommand(runtime: SandboxRuntime, spec: SandboxSpec, tmpDir: string): SandboxCommand {
  const hidden =
    spec.hidden ??
    secretPaths([
      spec.cwd,
      ...spec.writable,
      ...(spec.readOnly ?? []),
      ...(spec.privateDirs ?? []),
      ...toolPaths({ all: true }),
    ]);
  const full = { ...spec, hidden };
  if (runtime.kind === 'bubblewrap') return bwrapCommand(full, runtime.path);
  return sandboxExecCommand({ ...full, writable: [...spec.writable] }, tmpDir, runtime.path);
}

/** The same command unconfined (the user passed `--unsandboxed`): argv and environment as given. */
export function unconfinedCommand(spec: SandboxSpec): SandboxCommand {
  const [command, ...args] = spec.argv;
  if (command === undefined) throw new Error('sandbox: empty argv');
  return { command, args, cwd: spec.cwd, env: { ...spec.env } };
}
