import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';
import { printJson, styler } from '../io.js';

/** `orchestra status [<run-id>]`: where a run stands and how to continue it. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('Where a run stands: tasks, waves, merged work, open fixes, cost so far, how to resume')
    .argument('[run-id]', 'the run (default: the newest run)')
    .option('--json', 'print the status as JSON')
    .action(
      action(ctx, async (runId: string | undefined, o: { json?: boolean }) => {
        const { buildStatus, openRunsHub, pickRun, renderStatus, runLiveness } = await import(
          '../../run/read.js'
        );
        const { hub, root } = openRunsHub(ctx.io.cwd);
        try {
          const id = pickRun(hub, root, runId);
          const running = hub.runs.require(id).status === 'running';
          const liveness = running ? await runLiveness(root, id, ctx.io.env) : 'unknown';
          const view = buildStatus(hub, id, liveness);
          if (o.json) printJson(ctx.io, view);
          else ctx.io.stdout(renderStatus(view, styler(ctx.io)));
          return 0;
        } finally {
          hub.close();
        }
      }),
    );
}
