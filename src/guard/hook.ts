import { decideGuard, type GuardSettings } from './guard.js';

/** What the hook process writes and how it exits. */
export interface HookAnswer {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The collision guard as a Claude Code `PreToolUse` command hook: hook JSON in, a decision out.
 * An allow prints nothing (the session's own permission rules still apply); a deny is the hook's
 * JSON `permissionDecision: "deny"` with the reason. Input that is not JSON cannot name a path, so
 * it is allowed; an unexpected failure refuses (exit 2), since it may have hidden an active run.
 */
export async function runGuardHook(stdin: string, settings: GuardSettings = {}): Promise<HookAnswer> {
  let input: unknown;
  try {
    input = JSON.parse(stdin);
  } catch {
    return { code: 0, stdout: '', stderr: '' };
  }
  try {
    const d = await decideGuard(input, settings);
    if (d.decision === 'allow') return { code: 0, stdout: '', stderr: '' };
    const out = {
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: d.reason,
      },
    };
    return { code: 0, stdout: `${JSON.stringify(out)}\n`, stderr: '' };
  } catch (e) {
    return {
      code: 2,
      stdout: '',
      stderr: `Orchestra's collision guard failed (${(e as Error).message}); the write is refused in case a run holds the file. Run \`orchestra status\` to see the runs.\n`,
    };
  }
}

/** Read all of stdin. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
