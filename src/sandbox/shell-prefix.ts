import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MODEL_CREDENTIAL_VARS } from './env.js';

/**
 * Claude Code runs every Bash command as `<CLAUDE_CODE_SHELL_PREFIX> '<command>'` (one argument,
 * checked against the real binary). This script is that prefix. It is static: what varies comes
 * from the environment, and the command is only ever passed as "$1" to bash, never re-parsed here.
 * Already inside the agent's sandbox, it starts a nested bubblewrap with its own PID namespace (the
 * agent process and its environment are out of sight), without the model's credentials, with the
 * Claude config directory hidden except its shell snapshots, and without network when the run says so.
 */
export const SHELL_PREFIX_SCRIPT = `#!/bin/sh
# Written by Orchestra: the sandbox of an agent's Bash commands (see src/sandbox/shell-prefix.ts).
unset ${MODEL_CREDENTIAL_VARS.join(' ')}
bw="\${ORCHESTRA_BWRAP:-}"
net="\${ORCHESTRA_SANDBOX_NETWORK:-on}"
cfg="\${CLAUDE_CONFIG_DIR:-}"
unset ORCHESTRA_BWRAP ORCHESTRA_SANDBOX_NETWORK
if [ -z "$bw" ]; then exec /bin/bash --norc --noprofile -c "$1"; fi
set -- "$1" --dev-bind / / --unshare-pid --proc /proc --die-with-parent
if [ "$net" = off ]; then set -- "$@" --unshare-net; fi
if [ -n "$cfg" ] && [ -d "$cfg" ]; then
  set -- "$@" --tmpfs "$cfg" --ro-bind-try "$cfg/shell-snapshots" "$cfg/shell-snapshots"
fi
cmd="$1"
shift
exec "$bw" "$@" -- /bin/bash --norc --noprofile -c "$cmd"
`;

/** Write the prefix script into `dir` (created) and return its path. */
export function installShellPrefix(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'orchestra-shell');
  writeFileSync(file, SHELL_PREFIX_SCRIPT, { mode: 0o755 });
  chmodSync(file, 0o755);
  return file;
}
