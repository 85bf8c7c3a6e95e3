import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';
import { printJson } from '../io.js';

/** `orchestra doctor`: which login runs will use, the sandbox, Claude Code's version, what to fix. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description(
      'Check this machine: the login runs will use (never printed), whether the sandbox can start, the Claude Code version, and what to fix',
    )
    .option('--json', 'print the findings as JSON')
    .action(
      action(ctx, async (o: { json?: boolean }) => {
        const { runDoctor, renderDoctor } = await import('../../executor/index.js');
        const report = await runDoctor({ env: ctx.io.env });
        if (o.json) printJson(ctx.io, report);
        else ctx.io.stdout(renderDoctor(report));
        return report.ok ? 0 : 1;
      }),
    );
}
