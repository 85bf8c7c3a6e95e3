import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';
import { outputWidth, printJson, styler } from '../io.js';

/** `orchestra runs`: the runs recorded in this repository's hub, newest first. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('runs')
    .description("List the runs in this repository's hub: id, created, status, goal, tasks done, cost")
    .option('--json', 'print the runs as JSON')
    .action(
      action(ctx, async (o: { json?: boolean }) => {
        const { listRuns, noRuns, openRunsHub, renderRuns } = await import('../../run/read.js');
        const { hub, root } = openRunsHub(ctx.io.cwd);
        try {
          const runs = listRuns(hub);
          if (runs.length === 0) throw noRuns(root);
          if (o.json) printJson(ctx.io, runs);
          else {
            ctx.io.stdout(renderRuns(runs, outputWidth(ctx.io, 100), styler(ctx.io)));
          }
          return 0;
        } finally {
          hub.close();
        }
      }),
    );
}
