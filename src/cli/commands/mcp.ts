import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';

/** `orchestra mcp`: the MCP server (stdio) that puts plans, runs, validation and the hub in a Claude Code session. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('mcp')
    .description(
      'Serve Orchestra as an MCP server on stdio: plans, background runs, status, reports, validation, packets, contracts, decisions, handoffs, leases',
    )
    .addHelpText(
      'after',
      "\nStarted by Claude Code (the plugin's .mcp.json, or: claude mcp add orchestra -- orchestra mcp).\nStdout carries only the protocol; tool errors carry the messages the CLI prints.",
    )
    .action(
      action(ctx, async () => {
        const { serveStdio } = await import('../../mcp/index.js');
        await serveStdio({ cwd: ctx.io.cwd, env: ctx.io.env });
        return 0;
      }),
    );
}
