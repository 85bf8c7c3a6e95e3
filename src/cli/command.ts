import type { Command } from 'commander';
import { ExitCode, isOrchestraError } from '../errors.js';
import type { CliIo } from './io.js';

/** A command handler: returns an exit code, never calls process.exit. */
export type Handler<A extends unknown[]> = (...args: A) => Promise<number> | number;

/** Context each command module receives when registering. */
export interface CliContext {
  io: CliIo;
  /** Set by the runner with the handler's exit code. */
  setExitCode: (code: number) => void;
}

/** A command module: declares its commands (light) and imports its implementation lazily. */
export interface CommandModule {
  register: (program: Command, ctx: CliContext) => void;
}

/**
 * Wrap a handler for commander: user errors print their message and exit 2, system errors exit 1,
 * and neither prints a stack trace unless ORCHESTRA_DEBUG is set.
 */
export function action<A extends unknown[]>(
  ctx: CliContext,
  handler: Handler<A>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      ctx.setExitCode(await handler(...args));
    } catch (e) {
      ctx.setExitCode(reportError(ctx.io, e));
    }
  };
}

/** Print an error the way users should see it and return its exit code. */
export function reportError(io: CliIo, e: unknown): number {
  if (isOrchestraError(e)) {
    io.stderr(`orchestra: ${e.message}\n`);
    if (io.env.ORCHESTRA_DEBUG && e.cause) io.stderr(`${String((e.cause as Error).stack ?? e.cause)}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.stderr(`orchestra: unexpected error: ${err.message}\n`);
  io.stderr(io.env.ORCHESTRA_DEBUG ? `${err.stack}\n` : 'Set ORCHESTRA_DEBUG=1 for details and report it.\n');
  return ExitCode.failure;
}
