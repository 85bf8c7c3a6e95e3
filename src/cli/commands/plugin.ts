import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import type { PluginInstallReport } from '../../plugin/index.js';
import { action, type CliContext } from '../command.js';
import { printJson } from '../io.js';

const SCOPES = ['project', 'local', 'user'] as const;

/** Install the plugin for the project in `ctx.io.cwd`; shared by `plugin install` and `init --plugin`. */
export async function installForProject(
  ctx: CliContext,
  o: { scope?: string; claude?: string },
): Promise<PluginInstallReport> {
  const scope = (o.scope ?? 'project') as (typeof SCOPES)[number];
  if (!SCOPES.includes(scope))
    throw new UserError('bad-flag', `--scope must be project, local or user, got "${o.scope}"`);
  const { installPlugin } = await import('../../plugin/index.js');
  ctx.io.stderr('installing the Orchestra plugin with claude plugin install…\n');
  const r = installPlugin({
    cwd: ctx.io.cwd,
    scope,
    env: ctx.io.env,
    ...(o.claude !== undefined ? { claude: o.claude } : {}),
  });
  return r;
}

/** The human lines of an install. */
export function installLines(r: PluginInstallReport): string {
  return (
    `installed ${r.plugin} (scope ${r.scope}) from ${r.marketplace}\n` +
    `ORCHESTRA_HOME set in ${r.settingsFile}\n` +
    'In claude here: /orchestra:plan, /orchestra:run, /orchestra:status, /orchestra:report, /orchestra:validate\n'
  );
}

/** `orchestra plugin …`: Orchestra inside Claude Code. */
export function register(program: Command, ctx: CliContext): void {
  const plugin = program
    .command('plugin')
    .description('Orchestra inside Claude Code: install the plugin, or find its directory');
  plugin
    .command('install')
    .description(
      'Install the Orchestra plugin (commands, agents, skill, MCP server, collision guard) for this project with claude plugin install',
    )
    .option('--scope <scope>', 'project (.claude/settings.json), local or user', 'project')
    .option('--claude <path>', 'the Claude Code binary (default: the one bundled with the Agent SDK)')
    .option('--json', 'print what was done as JSON')
    .addHelpText('after', '\nFor one session only: claude --plugin-dir "$(orchestra plugin path)"')
    .action(
      action(ctx, async (o: { scope?: string; claude?: string; json?: boolean }) => {
        const r = await installForProject(ctx, o);
        if (o.json) printJson(ctx.io, r);
        else ctx.io.stdout(installLines(r));
        return 0;
      }),
    );
  plugin
    .command('path')
    .description('Print the plugin directory (for claude --plugin-dir)')
    .action(
      action(ctx, async () => {
        const { PLUGIN_DIR } = await import('../../plugin/index.js');
        ctx.io.stdout(`${PLUGIN_DIR}\n`);
        return 0;
      }),
    );
}
