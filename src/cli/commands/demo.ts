import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';
import { printJson } from '../io.js';

interface Flags {
  keep?: boolean;
  json?: boolean;
}

/** `orchestra demo`: the article's example on a bundled sample, with a scripted model. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      "Play the article's real-time collaboration example on a bundled sample repository (scripted model, offline)",
    )
    .option('--keep', 'keep the temporary repository (its path is printed) to inspect branches and the hub')
    .option('--json', 'print one JSON object: the outcome, the report and the scripted figures')
    .addHelpText(
      'after',
      '\nThe model is SCRIPTED: the real Claude Code binary runs every agent against a local server that plays\nthe example, so no account, key or network is needed. To run with Claude: log in with `claude` (or set\nANTHROPIC_API_KEY), then in your own repository: orchestra run "<request>" [--model <model>].\nExit 0 when the integration branch is green, 1 otherwise.',
    )
    .action(
      action(ctx, async (f: Flags) => {
        const { playDemo } = await import('../demo-play.js');
        const result = await playDemo(ctx.io, { keep: f.keep === true, json: f.json === true });
        if (f.json) printJson(ctx.io, result.json);
        return result.code;
      }),
    );
}
