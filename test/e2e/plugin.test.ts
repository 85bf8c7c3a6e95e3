import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MCP_TOOL_NAMES } from '../../src/mcp/index.js';
import { call, type ModelServer, scenario, startModelServer } from '../../src/testing/index.js';
import { type FixtureRepo, fixtureRepo } from '../mcp/fixture.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';

// The plugin loaded by the real Claude Code binary (the one the Agent SDK runs), against the
// scripted model server. The plugin's launcher runs the built package: `npm run build` first.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PLUGIN = join(ROOT, 'plugin');
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

interface Session {
  messages: Array<Record<string, unknown>>;
  code: number;
  stderr: string;
}

/** One headless session of the real binary with the plugin loaded, in `cwd`. */
function session(server: ModelServer, cwd: string, prompt: string, extra: string[] = []): Promise<Session> {
  const home = tempDir('orchestra-plugin-home-');
  cleanup.push(home.remove);
  const args = [
    '-p',
    prompt,
    '--output-format',
    'stream-json',
    '--verbose',
    '--plugin-dir',
    PLUGIN,
    '--model',
    'claude-sonnet-4-5',
    '--max-turns',
    '6',
    ...extra,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(CLAUDE, args, {
      cwd,
      // -p does not wait for MCP servers by default; a loaded machine would list ours as pending.
      env: { ...claudeTestEnv(server.url, home.path), MCP_CONNECTION_NONBLOCKING: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? 1,
        stderr: err,
        messages: out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      }),
    );
  });
}

/** Tool results the binary handed back, by tool_use id: the text the model reads and whether it is an error. */
function toolResults(s: Session): Map<string, { text: string; isError: boolean }> {
  const out = new Map<string, { text: string; isError: boolean }>();
  for (const m of s.messages) {
    if (m.type !== 'user') continue;
    const content = (m.message as { content?: unknown })?.content;
    if (!Array.isArray(content)) continue;
    for (const b of content as Array<Record<string, unknown>>) {
      if (b.type !== 'tool_result') continue;
      const c = b.content;
      const text =
        typeof c === 'string'
          ? c
          : Array.isArray(c)
            ? (c as Array<{ text?: string }>).map((x) => x.text ?? '').join('\n')
            : '';
      // With structured content the model reads its JSON; `display` is the CLI's rendering inside it.
      let shown = text;
      try {
        const v = JSON.parse(text) as { display?: unknown };
        if (typeof v.display === 'string') shown = v.display;
      } catch {
        // Plain text: an error, or a built-in tool's result.
      }
      out.set(String(b.tool_use_id), { text: shown, isError: b.is_error === true });
    }
  }
  return out;
}

function repoFor(options: Parameters<typeof fixtureRepo>[0]): FixtureRepo {
  const r = fixtureRepo(options);
  cleanup.push(r.cleanup);
  return r;
}

async function serve(s: ReturnType<typeof scenario>): Promise<ModelServer> {
  const server = await startModelServer(s);
  cleanup.push(() => server.close({ verify: false }));
  return server;
}

describe('the Orchestra plugin in the real Claude Code binary', () => {
  it('passes claude plugin validate (plugin strict, and the marketplace)', () => {
    const home = tempDir('orchestra-plugin-home-');
    cleanup.push(home.remove);
    const env = { ...process.env, HOME: home.path, CLAUDE_CONFIG_DIR: join(home.path, '.claude') };
    const plugin = spawnSync(CLAUDE, ['plugin', 'validate', PLUGIN, '--strict'], { env, encoding: 'utf8' });
    expect(plugin.status, plugin.stdout + plugin.stderr).toBe(0);
    expect(plugin.stdout).toContain('orchestra:plan');
    const market = spawnSync(CLAUDE, ['plugin', 'validate', ROOT], { env, encoding: 'utf8' });
    expect(market.status, market.stdout + market.stderr).toBe(0);
    expect(market.stdout).toContain('marketplace.json');
  });

  it("lists the plugin's commands, agents and MCP tools in the init message; each tool answers from the hub", async () => {
    const repo = repoFor({ live: true });
    const calls = [
      call.tool(`${MCP}plan_check`, { file: 'plans/bad.yaml' }, 'toolu_check'),
      call.tool(`${MCP}plan_show`, { file: 'plans/good.yaml' }, 'toolu_show'),
      call.tool(`${MCP}runs_list`, {}, 'toolu_runs'),
      call.tool(`${MCP}run_status`, { runId: 'run-live' }, 'toolu_status_live'),
      call.tool(`${MCP}run_status`, { runId: 'run-1' }, 'toolu_status_done'),
      call.tool(`${MCP}run_report`, { runId: 'run-1' }, 'toolu_report'),
      call.tool(`${MCP}hub_contracts`, { runId: 'run-1' }, 'toolu_contracts'),
      call.tool(`${MCP}hub_decisions`, { runId: 'run-1' }, 'toolu_decisions'),
      call.tool(`${MCP}hub_handoffs`, { runId: 'run-1' }, 'toolu_handoffs'),
      call.tool(`${MCP}leases`, {}, 'toolu_leases'),
      call.tool(`${MCP}task_context`, { planFile: 'plans/good.yaml', taskId: 'web' }, 'toolu_packet'),
      call.tool(`${MCP}validate`, { plan: 'plans/good.yaml' }, 'toolu_validate'),
      call.tool(`${MCP}run_start`, { planFile: 'plans/bad.yaml' }, 'toolu_start'),
    ];
    const server = await serve(
      scenario()
        .on({ text: 'Look at the orchestra' })
        .calls(...calls)
        .text('Read it all.'),
    );
    const s = await session(server, repo.root, 'Look at the orchestra of this repository', [
      '--allowedTools',
      `${MCP}*`,
    ]);
    const init = s.messages.find((m) => m.type === 'system' && m.subtype === 'init') as
      | {
          tools: string[];
          slash_commands: string[];
          agents: string[];
          mcp_servers: Array<Record<string, string>>;
        }
      | undefined;
    expect(init, s.stderr).toBeDefined();
    for (const c of ['plan', 'run', 'status', 'report', 'validate'])
      expect(init?.slash_commands).toContain(`orchestra:${c}`);
    expect(init?.agents).toEqual(
      expect.arrayContaining(['orchestra:orchestrator', 'orchestra:backend-specialist']),
    );
    expect(init?.mcp_servers).toContainEqual(
      expect.objectContaining({ name: 'plugin:orchestra:orchestra', status: 'connected' }),
    );
    expect(init?.tools.filter((t) => t.startsWith(MCP)).sort()).toEqual(
      MCP_TOOL_NAMES.map((n) => MCP + n).sort(),
    );

    const r = toolResults(s);
    const ok = (id: string) => {
      const x = r.get(id);
      expect(x, `no result for ${id}`).toBeDefined();
      expect(x?.isError, `${id}: ${x?.text}`).toBe(false);
      return x?.text ?? '';
    };
    const failed = (id: string) => {
      const x = r.get(id);
      expect(x?.isError, `${id}: ${x?.text}`).toBe(true);
      return x?.text ?? '';
    };
    expect(ok('toolu_check')).toMatch(/plans\/bad\.yaml:8: error \[dependency-cycle\]/);
    expect(ok('toolu_check')).toMatch(/plans\/bad\.yaml: invalid/);
    expect(ok('toolu_show')).toMatch(/graph TD/);
    expect(ok('toolu_show')).toMatch(/Waves \(2;/);
    expect(ok('toolu_runs')).toMatch(/run-live/);
    expect(ok('toolu_status_live')).toMatch(/run-live/);
    expect(ok('toolu_status_live')).toMatch(/api\s+backend-specialist\s+1\s+running/);
    expect(ok('toolu_status_done')).toMatch(/failed/);
    expect(ok('toolu_report')).toMatch(/orchestrator/);
    expect(ok('toolu_contracts')).toMatch(/export interface Operation \{ userId: string; op: string \}/);
    expect(ok('toolu_decisions')).toMatch(/transport: WebSocket over HTTP\/1\.1/);
    expect(ok('toolu_handoffs')).toMatch(/"interfaces": \[\s*"Operation"/);
    expect(ok('toolu_leases')).toMatch(/src\/api\/\*\*\s+task api of run run-live\s+live/);
    expect(ok('toolu_packet')).toMatch(/Greeting page/);
    expect(failed('toolu_validate')).toContain('pass --task <task-id>=<git-ref> for each branch to validate');
    expect(failed('toolu_start')).toMatch(/plans\/bad\.yaml is not a valid plan/);
  }, 240_000);

  it('/orchestra:plan reaches the model as the command and ends with the plan shown', async () => {
    const repo = repoFor({});
    const server = await serve(
      scenario()
        .on({ text: 'Show the Orchestra plan in `plans/good.yaml`' })
        .calls(call.tool(`${MCP}plan_check`, { file: 'plans/good.yaml' }, 'toolu_check'))
        .calls(call.tool(`${MCP}plan_show`, { file: 'plans/good.yaml' }, 'toolu_show'))
        .text('Here is the plan. Start it with /orchestra:run plans/good.yaml'),
    );
    const s = await session(server, repo.root, '/orchestra:plan plans/good.yaml');
    const r = toolResults(s);
    expect(r.get('toolu_check')?.text).toMatch(/plans\/good\.yaml: valid/);
    const shown = r.get('toolu_show')?.text ?? '';
    expect(shown).toMatch(/Goal: Greetings over an API/);
    expect(shown).toMatch(/Graph \(mermaid\)\ngraph TD/);
    const result = s.messages.find((m) => m.type === 'result');
    expect(result).toMatchObject({ subtype: 'success', is_error: false });
    // The command's own allowed-tools let its read-only tools run without a prompt.
    expect((result as { permission_denials?: unknown[] }).permission_denials ?? []).toEqual([]);
    server.assertAllConsumed();
  }, 180_000);

  describe('the collision guard', () => {
    const writes = () =>
      scenario()
        .on({ text: 'Write both files' })
        .calls(
          call.tool('Write', { file_path: 'src/api/x.ts', content: 'export const x = 1;\n' }, 'toolu_api'),
          call.tool('Write', { file_path: 'src/web/y.ts', content: 'export const y = 1;\n' }, 'toolu_web'),
        )
        .text('done');

    async function writeBoth(repo: FixtureRepo) {
      const server = await serve(writes());
      // Absolute paths, as Claude Code gives them to hooks.
      const s = await session(server, repo.root, 'Write both files', ['--permission-mode', 'acceptEdits']);
      return toolResults(s);
    }

    it('refuses a write to a path a running task holds, naming the task, and allows the rest', async () => {
      const repo = repoFor({ live: true });
      const r = await writeBoth(repo);
      expect(r.get('toolu_api')?.isError).toBe(true);
      expect(r.get('toolu_api')?.text).toMatch(
        /held by task "api" \(WebSocket server\) of the Orchestra run run-live/,
      );
      expect(r.get('toolu_api')?.text).toMatch(/Wait until the task finishes/);
      expect(existsSync(join(repo.root, 'src/api/x.ts'))).toBe(false);
      expect(r.get('toolu_web')?.isError).toBe(false);
      expect(readFileSync(join(repo.root, 'src/web/y.ts'), 'utf8')).toBe('export const y = 1;\n');
    }, 180_000);

    it('allows every write when no run is active', async () => {
      const repo = repoFor({ live: true });
      repo.endLiveRun();
      const r = await writeBoth(repo);
      expect(r.get('toolu_api')?.isError).toBe(false);
      expect(r.get('toolu_web')?.isError).toBe(false);
      expect(existsSync(join(repo.root, 'src/api/x.ts'))).toBe(true);
    }, 180_000);

    it('refuses writes while a run is active and its hub cannot be read', async () => {
      const repo = repoFor({ live: true });
      const hub = join(repo.root, '.orchestra', 'hub.db');
      writeFileSync(hub, 'this is not a SQLite database, it was damaged');
      for (const f of ['hub.db-wal', 'hub.db-shm']) writeFileSync(join(repo.root, '.orchestra', f), '');
      const r = await writeBoth(repo);
      for (const id of ['toolu_api', 'toolu_web']) {
        expect(r.get(id)?.isError).toBe(true);
        expect(r.get(id)?.text).toMatch(
          /run run-live is active in this repository, but its hub .* cannot be read/,
        );
      }
      expect(existsSync(join(repo.root, 'src/web/y.ts'))).toBe(false);
    }, 180_000);
  });
});
