import { relative } from 'node:path';
import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';
import { type CliIo, printJson, styler } from '../io.js';

interface CleanOptions {
  run?: string;
  all?: boolean;
  keepBranches?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

const HELP = `
Removes only what Orchestra created and recorded (in <git-common-dir>/orchestra/registry.json):
  - runs that finished, and runs whose orchestrating process is gone (crashed, killed, kill -9);
  - for each: its worktrees in your state directory (<state>/worktrees/<repo>-<hash>/<run>/, the
    integration checkout too), or under .orchestra/worktrees/<run>/ where earlier versions put them
    (uncommitted work in them is lost), and its branches orchestra/<run>/<task> (committed work on
    them is lost; --keep-branches keeps them). The integration branch stays for review.
    \`orchestra validate\` counts as a run: its integration branch and worktree go too.
Never touched: your checkout, its index and HEAD, your own worktrees, your branches — even a
branch named orchestra/... that Orchestra did not record.
A run still in progress (its process is alive) is kept; --all removes it too, and its agents
lose their worktrees. A run whose process lives on another host counts as in progress.
\`orchestra run\` sweeps finished and dead runs itself when it starts (never the run it resumes).
Exit code 1 when something could not be removed (say, a branch checked out in another worktree).

Examples:
  orchestra clean --dry-run        what would be removed
  orchestra clean                  remove finished and dead runs
  orchestra clean --run <id> --all remove one run, even if it is still running
`;

/** `orchestra clean`: remove the worktrees and branches of finished or dead runs. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('clean')
    .description('Remove the worktrees and branches of finished or dead runs (never anything else)')
    .option('--run <id>', 'only this run')
    .option('--all', 'also runs still in progress')
    .option('--keep-branches', 'remove the worktrees but keep the branches and their commits')
    .option('--dry-run', 'print what would be removed; change nothing')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', HELP)
    .action(
      action(ctx, async (opts: CleanOptions) => {
        const { sweepWorktrees } = await import('../../executor/registry.js');
        const report = await sweepWorktrees({
          cwd: ctx.io.cwd,
          env: ctx.io.env,
          ...(opts.run !== undefined ? { runId: opts.run } : {}),
          all: opts.all ?? false,
          keepBranches: opts.keepBranches ?? false,
          dryRun: opts.dryRun ?? false,
        });
        const failed = report.runs.some((r) => r.problems.length > 0);
        if (opts.json) printJson(ctx.io, report);
        else printReport(ctx.io, report);
        return failed ? 1 : 0;
      }),
    );
}

function printReport(
  io: CliIo,
  report: Awaited<ReturnType<typeof import('../../executor/registry.js').sweepWorktrees>>,
): void {
  const s = styler(io);
  const show = (p: string) => {
    const r = relative(io.cwd, p);
    return r && !r.startsWith('..') ? r : p;
  };
  const verb = report.dryRun ? 'would remove' : 'removed';
  let lines = 0;
  for (const run of report.runs) {
    const why =
      run.state === 'finished'
        ? 'finished'
        : run.state === 'dead'
          ? `dead: process ${run.pid} is gone`
          : `running: process ${run.pid}`;
    if (run.action === 'kept') {
      io.stdout(`${s.dim(`kept run ${run.runId} (${why}); --all removes it`)}\n`);
      lines++;
      continue;
    }
    const head = run.action === 'partial' ? s.yellow(`${verb} part of run`) : s.green(`${verb} run`);
    io.stdout(`${head} ${s.bold(run.runId)} (${why})\n`);
    for (const w of run.worktrees) io.stdout(`  worktree ${show(w)}\n`);
    for (const b of run.branches) io.stdout(`  branch   ${b}\n`);
    for (const p of run.problems) io.stdout(`  ${s.red('not removed')} ${p}\n`);
    lines++;
  }
  for (const t of report.temporary) {
    io.stdout(`${s.green(verb)} a check's temporary checkout ${show(t)} (its process is gone)\n`);
    lines++;
  }
  if (lines === 0) io.stdout('nothing to clean\n');
}
