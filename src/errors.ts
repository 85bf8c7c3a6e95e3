/** Exit codes with a meaning: 0 ok, 1 failure, 2 bad input. */
export const ExitCode = { ok: 0, failure: 1, badInput: 2 } as const;

/** The one base error: a stable `code`, a message that says what to do, and an optional cause. */
export class OrchestraError extends Error {
  override readonly name: string = 'OrchestraError';
  readonly code: string;
  /** true when the user can fix it (bad plan, bad agent file, bad flag): exit code 2. */
  readonly userError: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; userError?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.userError = options.userError ?? false;
  }

  get exitCode(): number {
    return this.userError ? ExitCode.badInput : ExitCode.failure;
  }
}

/** Bad input from the user: exit code 2, never a stack trace. */
export class UserError extends OrchestraError {
  override readonly name = 'UserError';
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, userError: true });
  }
}

/** True for any OrchestraError, also across module copies. */
export function isOrchestraError(e: unknown): e is OrchestraError {
  return (
    e instanceof OrchestraError ||
    (e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && 'userError' in e)
  );
}
