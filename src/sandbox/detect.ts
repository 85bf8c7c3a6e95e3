import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { SandboxRuntime } from './spec.js';

/** What a run prints, once, when no sandbox can start. */
export const INSTALL_HINT =
  'No sandbox can start on this machine, so specialists cannot be given Bash and success criteria cannot run. ' +
  'Install bubblewrap (Debian/Ubuntu: `sudo apt-get install -y bubblewrap`; Fedora: `sudo dnf install bubblewrap`; ' +
  'Arch: `sudo pacman -S bubblewrap`) and check that `bwrap --ro-bind / / true` works (unprivileged user ' +
  'namespaces must be allowed), or pass --unsandboxed to run every agent command without confinement.';

/** The outcome of `detectSandbox`. */
export type SandboxDetection =
  | { available: true; runtime: SandboxRuntime }
  | { available: false; reason: string; hint: string };

/** Seams of `detectSandbox`. */
export interface DetectSettings {
  platform?: NodeJS.Platform;
  /** Runs a probe; returns its exit status and stderr (default: spawnSync with a timeout). */
  run?: (
    command: string,
    args: readonly string[],
  ) => { status: number | null; stdout: string; stderr: string };
  /** Where to look for bubblewrap (default: `ORCHESTRA_BWRAP`, then the PATH). */
  bwrapPath?: string;
  exists?: (p: string) => boolean;
  env?: Readonly<Record<string, string | undefined>>;
}

const defaultRun = (command: string, args: readonly string[]) => {
  const r = spawnSync(command, args, {
    timeout: 10_000,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return {
    status: r.error ? null : r.status,
    stdout: r.stdout ?? '',
    stderr: r.error ? r.error.message : (r.stderr ?? ''),
  };
};

/**
 * Whether a sandbox can start here: bubblewrap on Linux (it must actually run: user namespaces may be
 * disabled), `sandbox-exec` on macOS. A probe, not a guess: it starts a confined `true`.
 */
export function detectSandbox(settings: DetectSettings = {}): SandboxDetection {
  const platform = settings.platform ?? process.platform;
  const run = settings.run ?? defaultRun;
  const env = settings.env ?? process.env;
  if (platform === 'darwin') {
    const exe = '/usr/bin/sandbox-exec';
    const exists = settings.exists ?? existsSync;
    if (!exists(exe)) return { available: false, reason: `${exe} not found`, hint: INSTALL_HINT };
    const r = run(exe, ['-p', '(version 1)(allow default)', '/usr/bin/true']);
    if (r.status === 0) return { available: true, runtime: { kind: 'sandbox-exec', path: exe } };
    return {
      available: false,
      reason: `sandbox-exec does not start: ${r.stderr.trim()}`,
      hint: INSTALL_HINT,
    };
  }
  if (platform !== 'linux') {
    return { available: false, reason: `no sandbox is supported on ${platform}`, hint: INSTALL_HINT };
  }
  const bwrap = settings.bwrapPath ?? env.ORCHESTRA_BWRAP ?? 'bwrap';
  const probe = run(bwrap, [
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--unshare-pid',
    '--',
    'true',
  ]);
  if (probe.status === 0) {
    const v = run(bwrap, ['--version']);
    const version = /bubblewrap\s+(\S+)/.exec(`${v.stdout}${v.stderr}`)?.[1];
    return { available: true, runtime: { kind: 'bubblewrap', path: bwrap, ...(version ? { version } : {}) } };
  }
  const reason =
    probe.status === null
      ? `bubblewrap (${bwrap}) is not installed`
      : `bubblewrap (${bwrap}) does not start: ${probe.stderr.trim() || `exit ${probe.status}`}`;
  return { available: false, reason, hint: INSTALL_HINT };
}
