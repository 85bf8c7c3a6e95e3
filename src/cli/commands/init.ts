import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';
import { printJson } from '../io.js';

/** `orchestra init`: scaffold the agents, `.gitignore` entry and configuration of a project. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description(
      'Write the built-in agents to .claude/agents/, ignore .orchestra/, create orchestra.config.json',
    )
    .option('--force', 'overwrite agent files that differ from the built-in templates')
    .option('--json', 'print what happened to each file as JSON')
    .option('--plugin', 'also install the Orchestra plugin for Claude Code (as orchestra plugin install)')
    .action(
      action(ctx, async (opts: { force?: boolean; json?: boolean; plugin?: boolean }) => {
        const { initProject } = await import('../../agents/index.js');
        const { relative } = await import('node:path');
        const report = initProject({ cwd: ctx.io.cwd, force: opts.force === true });
        const plugin = opts.plugin ? await import('./plugin.js') : undefined;
        const installed = plugin ? await plugin.installForProject(ctx, {}) : undefined;
        if (opts.json) {
          printJson(ctx.io, installed ? { ...report, plugin: installed } : report);
          return 0;
        }
        if (plugin && installed) ctx.io.stdout(plugin.installLines(installed));
        const width = Math.max(...report.files.map((f) => f.status.length));
        for (const f of report.files)
          ctx.io.stdout(`${f.status.padEnd(width)}  ${relative(ctx.io.cwd, f.path) || f.path}\n`);
        const kept = report.files.filter((f) => f.kind === 'agent' && f.status === 'kept').length;
        if (kept > 0)
          ctx.io.stderr(
            `${kept} agent file${kept === 1 ? ' differs' : 's differ'} from the built-in template and ${kept === 1 ? 'was' : 'were'} kept; use --force to overwrite.\n`,
          );
        return 0;
      }),
    );
}
