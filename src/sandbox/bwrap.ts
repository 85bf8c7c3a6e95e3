import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxCommand, SandboxSpec } from './spec.js';
import { SANDBOX_TMP } from './spec.js';

type Mount = { kind: 'ro' | 'rw' | 'tmpfs'; path: string };

/**
 * What every sandboxed process must still see although it may live under the private /tmp: this
 * package (Claude Code's binary and the tools in its node_modules) and Node itself. Installed or
 * cloned under /tmp (a CI checkout, `npx` caches), they would otherwise vanish behind the tmpfs.
 * `all`: both, wherever they live (paths a hidden credential directory must not cover).
 */
export function toolPaths(o: { all?: boolean } = {}): string[] {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  const pkg = real(fileURLToPath(new URL('../..', import.meta.url)));
  const node = path.dirname(real(process.execPath));
  const under = (p: string) => p === SANDBOX_TMP || p.startsWith(`${SANDBOX_TMP}/`);
  const paths = [...new Set([pkg, node])];
  return o.all ? paths : paths.filter(under);
}

/** Path depth, so a parent is mounted before what is inside it (a later parent mount would hide it). */
const depth = (p: string) => p.split('/').filter(Boolean).length;

/**
 * The bubblewrap command for a spec: the root read-only, fresh /dev and /proc, a private /tmp, the
 * given read-only and writable binds, private layers, the hidden credentials emptied, its own PID
 * and IPC namespaces (no peeking at other processes' environments), and no network when asked.
 * Argument arrays only.
 */
export function bwrapCommand(spec: SandboxSpec, bwrapPath = 'bwrap'): SandboxCommand {
  const mounts: Mount[] = [
    ...toolPaths().map((p) => ({ kind: 'ro' as const, path: p })),
    ...(spec.readOnly ?? []).map((p) => ({ kind: 'ro' as const, path: path.resolve(p) })),
    ...spec.writable.map((p) => ({ kind: 'rw' as const, path: path.resolve(p) })),
    ...(spec.privateDirs ?? []).map((p) => ({ kind: 'tmpfs' as const, path: path.resolve(p) })),
  ];
  // Stable sort: parents first; at equal depth the order above (ro, rw, private) holds.
  mounts.sort((a, b) => depth(a.path) - depth(b.path));
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', SANDBOX_TMP];
  for (const m of mounts) {
    if (m.kind === 'ro') args.push('--ro-bind-try', m.path, m.path);
    else if (m.kind === 'rw') args.push('--bind', m.path, m.path);
    else args.push('--tmpfs', m.path);
  }
  // Last, so nothing mounted later uncovers them; none holds a path mounted above (`secretPaths`).
  for (const h of spec.hidden ?? []) {
    if (h.kind === 'dir') args.push('--tmpfs', h.path, '--remount-ro', h.path);
    else args.push('--ro-bind', '/dev/null', h.path);
  }
  args.push('--unshare-pid', '--unshare-ipc', '--die-with-parent', '--new-session');
  if (!spec.network) args.push('--unshare-net');
  args.push('--chdir', spec.cwd, '--', ...spec.argv);
  return { command: bwrapPath, args, cwd: spec.cwd, env: { ...spec.env, TMPDIR: SANDBOX_TMP } };
}
