import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { call, scenario, startModelServer } from '../../src/testing/index.js';
import { fixtureRepo } from '../mcp/fixture.js';
import { runOrchestra } from '../support/cli.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';

// `orchestra plugin install` with the real Claude Code binary, then a plain session in the project
// (no --plugin-dir) that loads the plugin because the project's settings enable it.
const CLAUDE = join(
  dirname(createRequire(import.meta.url).resolve('@anthropic-ai/claude-agent-sdk-linux-x64/package.json')),
  'claude',
);
const MCP = 'mcp__plugin_orchestra_orchestra__';

let cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('orchestra plugin install', () => {
  it('installs and enables the plugin for the project; a plain claude session there has its tools and its guard', async () => {
    const repo = fixtureRepo({ live: true });
    cleanup.push(repo.cleanup);
    const home = tempDir('orchestra-plugin-home-');
    cleanup.push(home.remove);
    const env = {
      HOME: home.path,
      CLAUDE_CONFIG_DIR: join(home.path, '.claude'),
      PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    };

    const r = runOrchestra(['plugin', 'install', '--json'], { cwd: repo.root, env });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { plugin: string; scope: string; settingsFile: string };
    expect(report).toMatchObject({ plugin: 'orchestra@orchestra', scope: 'project' });
    const project = JSON.parse(readFileSync(join(repo.root, '.claude', 'settings.json'), 'utf8'));
    expect(project.enabledPlugins).toEqual({ 'orchestra@orchestra': true });
    const local = JSON.parse(readFileSync(join(repo.root, '.claude', 'settings.local.json'), 'utf8'));
    expect(existsSync(join(local.env.ORCHESTRA_HOME, 'dist', 'cli', 'main.js'))).toBe(true);
    const installed = JSON.parse(
      readFileSync(join(home.path, '.claude', 'plugins', 'installed_plugins.json'), 'utf8'),
    );
    expect(JSON.stringify(installed)).toContain('orchestra@orchestra');

    const server = await startModelServer(
      scenario()
        .on({ text: 'Change the api' })
        .calls(
          call.tool(`${MCP}leases`, {}, 'toolu_leases'),
          call.tool('Write', { file_path: join(repo.root, 'src/api/x.ts'), content: 'x\n' }, 'toolu_write'),
        )
        .text('The api is leased.'),
    );
    cleanup.push(() => server.close({ verify: false }));
    // Asynchronously: the scripted server answers from this process.
    const s = await runClaude(
      CLAUDE,
      [
        '-p',
        'Change the api',
        '--output-format',
        'stream-json',
        '--verbose',
        '--model',
        'claude-sonnet-4-5',
        '--permission-mode',
        'acceptEdits',
        '--allowedTools',
        `${MCP}leases`,
      ],
      {
        cwd: repo.root,
        env: {
          ...claudeTestEnv(server.url, home.path),
          PATH: env.PATH,
          MCP_CONNECTION_NONBLOCKING: 'false',
        },
      },
    );
    const messages = s.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const init = messages.find((m) => m.type === 'system' && m.subtype === 'init') as
      | { slash_commands: string[]; tools: string[]; plugins: Array<{ name: string; path: string }> }
      | undefined;
    expect(init, s.stderr).toBeDefined();
    expect(init?.slash_commands).toContain('orchestra:plan');
    expect(init?.tools).toContain(`${MCP}leases`);
    // A directory marketplace's plugin is loaded where it lies (Claude Code 2.1.331).
    expect(init?.plugins.find((p) => p.name === 'orchestra')).toBeDefined();
    const results = new Map<string, string>();
    for (const m of messages) {
      const content = (m.message as { content?: unknown } | undefined)?.content;
      if (m.type !== 'user' || !Array.isArray(content)) continue;
      for (const b of content as Array<Record<string, unknown>>)
        if (b.type === 'tool_result') results.set(String(b.tool_use_id), JSON.stringify(b.content));
    }
    expect(results.get('toolu_leases')).toMatch(/src\/api\/\*\*/);
    expect(results.get('toolu_write')).toMatch(/held by task \\"api\\"/);
    expect(messages.find((m) => m.type === 'result')).toMatchObject({ subtype: 'success' });
    expect(existsSync(join(repo.root, 'src/api/x.ts'))).toBe(false);
  }, 300_000);
});

function runClaude(
  bin: string,
  args: string[],
  o: { cwd: string; env: Record<string, string> },
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...o, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', () => resolve({ stdout, stderr }));
  });
}
