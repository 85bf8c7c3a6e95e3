import type { HiddenPath } from './secrets.js';

/** What one sandboxed process may see and touch. Paths are absolute host paths. */
export interface SandboxSpec {
  /** The program and its arguments (never a shell string built by Orchestra). */
  argv: readonly string[];
  cwd: string;
  /** Writable inside; everything else is read-only. Each must exist. */
  writable: readonly string[];
  /**
   * Kept visible (read-only) although under the private temporary directory: the checkout, the git
   * common directory, the Claude Code binary when they live under /tmp. Missing paths are skipped.
   */
  readOnly?: readonly string[];
  /**
   * Directories given a private, empty, writable layer over what is there (e.g. the shared
   * `node_modules/.vite-temp`, which vitest writes to load its config). Each must exist.
   */
  privateDirs?: readonly string[];
  /**
   * Paths made unreadable (an empty directory, an empty file): credentials in the home directory.
   * Absent: `secretPaths` of the user's home, keeping whatever the process needs.
   */
  hidden?: readonly HiddenPath[];
  /** Network access (default on). Off: only a private loopback. */
  network: boolean;
  /** The whole environment of the process (see `agentEnv`, `commandEnv`). */
  env: Readonly<Record<string, string>>;
}

/** A spawnable command: pass `command`, `args`, `cwd` and `env` to `child_process.spawn` as they are. */
export interface SandboxCommand {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/** A sandbox this machine can start. */
export type SandboxRuntime =
  | { kind: 'bubblewrap'; path: string; version?: string }
  | { kind: 'sandbox-exec'; path: string };

/** The private temporary directory inside every sandbox. */
export const SANDBOX_TMP = '/tmp';
