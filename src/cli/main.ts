import { Command, CommanderError } from 'commander';
import { ExitCode } from '../errors.js';
import type { CliContext, CommandModule } from './command.js';
import { type CliIo, processIo } from './io.js';
import { commandModules } from './registry.js';

/** Build the `orchestra` program. Command modules are light; implementations load on use. */
export function buildProgram(ctx: CliContext, modules: readonly CommandModule[] = commandModules): Command {
  const program = new Command('orchestra')
    .description(
      'Conduct many coding agents as one orchestra: plan, dispatch, enforce ownership, validate, merge.',
    )
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.io.stdout(s), writeErr: (s) => ctx.io.stderr(s) })
    .exitOverride();
  for (const m of modules) m.register(program, ctx);
  for (const c of program.commands)
    c.exitOverride().configureOutput({
      writeOut: (s) => ctx.io.stdout(s),
      writeErr: (s) => ctx.io.stderr(s),
    });
  return program;
}

declare const __ORCHESTRA_VERSION__: string | undefined;
const VERSION = typeof __ORCHESTRA_VERSION__ === 'string' ? __ORCHESTRA_VERSION__ : '0.1.0';

/** Run the CLI with `argv` (without node and script) and return the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  let code: number = ExitCode.ok;
  const ctx: CliContext = {
    io,
    setExitCode: (c) => {
      code = c;
    },
  };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0; usage errors are bad input.
      return e.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    throw e;
  }
  return code;
}
