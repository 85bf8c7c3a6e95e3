import { homedir } from 'node:os';
import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';
import { outputWidth, printJson } from '../io.js';

/** `orchestra agents list|lint`: the agent definitions Claude Code (and Orchestra) will use. */
export function register(program: Command, ctx: CliContext): void {
  const agents = program
    .command('agents')
    .description('List and lint agent definitions (.claude/agents/*.md)');
  const homeDir = () => ctx.io.env.HOME || homedir();
  const where = () => {
    const claudeConfigDir = ctx.io.env.CLAUDE_CONFIG_DIR;
    return { cwd: ctx.io.cwd, homeDir: homeDir(), ...(claudeConfigDir ? { claudeConfigDir } : {}) };
  };
  const style = async () => {
    const { projectRoot } = await import('../../config/index.js');
    return { cwd: ctx.io.cwd, homeDir: homeDir(), root: projectRoot(ctx.io.cwd) };
  };

  agents
    .command('list')
    .description('List the agents visible here (project > user > built-in) and what each one shadows')
    .option('--json', 'print the agents, shadowed files and problems as JSON')
    .action(
      action(ctx, async (opts: { json?: boolean }) => {
        const { formatAgentTable, formatShadowed, loadAgents } = await import('../../agents/index.js');
        const loaded = loadAgents(where());
        if (opts.json) {
          printJson(ctx.io, { agents: loaded.agents, shadowed: loaded.shadowed, problems: loaded.problems });
          return 0;
        }
        const columns = outputWidth(ctx.io, 0);
        ctx.io.stdout(formatAgentTable(loaded.agents, columns > 20 ? columns : undefined));
        ctx.io.stdout(formatShadowed(loaded.shadowed, await style()));
        const errors = loaded.problems.filter((p) => p.severity === 'error');
        if (errors.length > 0) {
          const files = new Set(errors.map((p) => p.file)).size;
          ctx.io.stderr(
            `\n${files} agent file${files === 1 ? ' has' : 's have'} errors and may be skipped; run "orchestra agents lint".\n`,
          );
        }
        return 0;
      }),
    );

  agents
    .command('lint')
    .description('Report agent files Claude Code would silently skip or misread (exit 2 on errors)')
    .argument(
      '[dir]',
      'folder of agent files; default: every .claude/agents from here to the repository root',
    )
    .option('--json', 'print the files and problems as JSON')
    .action(
      action(ctx, async (dir: string | undefined, opts: { json?: boolean }) => {
        const { lintAgentDir, lintProject } = await import('../../agents/index.js');
        const { formatLintSummary, formatAgentProblems } = await import('../../agents/index.js');
        const { resolve } = await import('node:path');
        const report = dir === undefined ? lintProject(where()) : lintAgentDir(resolve(ctx.io.cwd, dir));
        if (opts.json) printJson(ctx.io, report);
        else {
          ctx.io.stdout(formatAgentProblems(report.problems, await style()));
          ctx.io.stdout(formatLintSummary(report));
          if (report.files.length === 0)
            ctx.io.stderr(
              'No agent files found. "orchestra init" writes the built-in agents to .claude/agents/.\n',
            );
        }
        return report.errors > 0 ? 2 : 0;
      }),
    );
}
