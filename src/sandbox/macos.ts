import path from 'node:path';
import type { SandboxCommand, SandboxSpec } from './spec.js';

/**
 * The macOS Seatbelt profile for `sandbox-exec`. Paths never enter the profile text: it names
 * parameters (`WRITABLE_0`, …) that `sandboxExecCommand` passes with `-D`, so no data is parsed as
 * profile code. Reads stay allowed (as on Linux) except the hidden credentials; writes only under the
 * writable paths, the private temporary directory and the terminal devices; with `network` off only
 * loopback remains.
 * macOS has no mount namespaces: `privateDirs` become plain writable paths there.
 */
export function sandboxExecProfile(
  writableCount: number,
  network: boolean,
  hidden: { dirs: number; files: number } = { dirs: 0, files: 0 },
): string {
  const lines = [
    '(version 1)',
    '(allow default)',
    '(deny file-write*)',
    '(allow file-write*',
    '  (subpath (param "TMPDIR"))',
    '  (literal "/dev/null") (literal "/dev/zero") (literal "/dev/tty") (literal "/dev/dtracehelper")',
    '  (regex #"^/dev/fd/[0-9]+$")',
  ];
  for (let i = 0; i < writableCount; i++) lines.push(`  (subpath (param "WRITABLE_${i}"))`);
  lines.push(')');
  // Credentials: neither read nor written (after the allows: the last matching rule decides).
  for (let i = 0; i < hidden.dirs; i++)
    lines.push(`(deny file-read* file-write* (subpath (param "HIDDEN_DIR_${i}")))`);
  for (let i = 0; i < hidden.files; i++)
    lines.push(`(deny file-read* file-write* (literal (param "HIDDEN_FILE_${i}")))`);
  if (!network) {
    lines.push('(deny network*)', '(allow network* (remote ip "localhost:*") (remote unix-socket))');
  }
  return `${lines.join('\n')}\n`;
}

/** The `sandbox-exec` command for a spec; `tmpDir` is the process's private temporary directory. */
export function sandboxExecCommand(
  spec: SandboxSpec,
  tmpDir: string,
  sandboxExecPath = '/usr/bin/sandbox-exec',
): SandboxCommand {
  const writable = [...spec.writable, ...(spec.privateDirs ?? [])].map((p) => path.resolve(p));
  const dirs = (spec.hidden ?? []).filter((h) => h.kind === 'dir').map((h) => h.path);
  const files = (spec.hidden ?? []).filter((h) => h.kind === 'file').map((h) => h.path);
  const profile = sandboxExecProfile(writable.length, spec.network, {
    dirs: dirs.length,
    files: files.length,
  });
  const args = ['-p', profile, '-D', `TMPDIR=${tmpDir}`];
  writable.forEach((p, i) => {
    args.push('-D', `WRITABLE_${i}=${p}`);
  });
  dirs.forEach((p, i) => {
    args.push('-D', `HIDDEN_DIR_${i}=${p}`);
  });
  files.forEach((p, i) => {
    args.push('-D', `HIDDEN_FILE_${i}=${p}`);
  });
  args.push(...spec.argv);
  return { command: sandboxExecPath, args, cwd: spec.cwd, env: { ...spec.env, TMPDIR: tmpDir } };
}
