import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { action, type CliContext } from '../command.js';

interface ReportOptions {
  format: string;
  out?: string;
}

/** `orchestra report [<run-id>]`: a run's token economics per layer and task, as md, json or html. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description(
      'Tokens, cost and time of a run per layer and task, packets vs full context, conflicts and fixes',
    )
    .argument('[run-id]', 'the run (default: the newest run; orchestra runs lists them)')
    .option('--format <format>', 'md, json or html', 'md')
    .option('--out <file>', 'write the report to a file instead of stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  orchestra report\n  orchestra report 20260102-030405-a1b2c3 --format json\n  orchestra report --format html --out report.html',
    )
    .action(
      action(ctx, async (runId: string | undefined, o: ReportOptions) => {
        const { REPORT_FORMATS, renderReport } = await import('../../run/read.js');
        const format = o.format as (typeof REPORT_FORMATS)[number];
        if (!REPORT_FORMATS.includes(format))
          throw new UserError(
            'bad-format',
            `unknown --format "${o.format}"; choose one of: ${REPORT_FORMATS.join(', ')}`,
          );
        const { buildReport, openRunsHub, pickRun } = await import('../../run/read.js');
        const { hub, root } = openRunsHub(ctx.io.cwd);
        let text: string;
        try {
          text = renderReport(buildReport(hub, pickRun(hub, root, runId)), format);
        } finally {
          hub.close();
        }
        if (o.out === undefined) {
          ctx.io.stdout(text);
          return 0;
        }
        const { writeFile, mkdir } = await import('node:fs/promises');
        const { dirname, resolve } = await import('node:path');
        const path = resolve(ctx.io.cwd, o.out);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, text);
        ctx.io.stderr(`wrote the ${format} report to ${path}\n`);
        return 0;
      }),
    );
}
