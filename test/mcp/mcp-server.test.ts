import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP_TOOL_NAMES } from '../../src/mcp/index.js';
import { ORCHESTRA_BIN, runOrchestra } from '../support/cli.js';
import { commitOnBranch } from '../validator/fixture.js';
import { type FixtureRepo, fixtureRepo } from './fixture.js';

// The built `orchestra mcp` (npm run build first) spoken to by the SDK's own client over stdio.
let repo: FixtureRepo;
const clients: Client[] = [];

async function connect(cwd: string): Promise<Client> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'CLAUDECODE') env[k] = v;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ORCHESTRA_BIN, 'mcp'],
    cwd,
    env: { ...env, NO_COLOR: '1' },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'orchestra-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function text(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

beforeAll(() => {
  repo = fixtureRepo({ live: true });
  // Two branches implementing plans/good.yaml, for `validate`.
  commitOnBranch(repo.root, 'work/api', 'main', {
    'src/api/greeting.ts': 'export interface Greeting { text: string }\n',
  });
  commitOnBranch(repo.root, 'work/web', 'main', {
    'src/web/page.ts':
      "import type { Greeting } from '../api/greeting';\nexport const g: Greeting = { text: 'hi' };\n",
  });
});

afterAll(async () => {
  for (const c of clients) await c.close();
  repo.cleanup();
});

describe('orchestra mcp (stdio, the SDK client)', () => {
  it('lists every tool with an input and an output schema', async () => {
    const client = await connect(repo.root);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([...MCP_TOOL_NAMES]);
    for (const t of tools) {
      expect(t.description?.length, t.name).toBeGreaterThan(20);
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema?.type, t.name).toBe('object');
    }
    const show = tools.find((t) => t.name === 'plan_show');
    expect(show?.inputSchema.required).toEqual(['file']);
  });

  it('checks a plan with errors and shows a valid one with waves and its mermaid graph', async () => {
    const client = await connect(repo.root);
    const bad = await call(client, 'plan_check', { file: 'plans/bad.yaml' });
    expect(bad.isError).toBeFalsy();
    expect(bad.structuredContent).toMatchObject({ valid: false, file: 'plans/bad.yaml' });
    const codes = (bad.structuredContent as { problems: Array<{ code: string }> }).problems.map(
      (p) => p.code,
    );
    expect(codes).toEqual(expect.arrayContaining(['dependency-cycle', 'unknown-agent']));
    expect(text(bad)).toMatch(/plans\/bad\.yaml: invalid: \d+ errors/);

    const good = await call(client, 'plan_check', { file: 'plans/good.yaml' });
    expect(good.structuredContent).toMatchObject({ valid: true, errors: 0 });

    const shown = await call(client, 'plan_show', { file: 'plans/good.yaml', maxParallel: 2 });
    expect(shown.isError).toBeFalsy();
    expect(shown.structuredContent).toMatchObject({
      goal: 'Greetings over an API',
      limits: { maxParallel: 2 },
      waves: [
        { index: 1, taskIds: ['api'] },
        { index: 2, taskIds: ['web'] },
      ],
      contracts: [{ id: 'greeting', owner: 'api' }],
    });
    expect((shown.structuredContent as { mermaid: string }).mermaid).toMatch(/^graph TD/);
    expect(text(shown)).toMatch(/Graph \(mermaid\)\ngraph TD/);
  });

  it('answers a bad plan with the tool error the CLI prints, word for word', async () => {
    const client = await connect(repo.root);
    const r = await call(client, 'plan_show', { file: 'plans/bad.yaml' });
    expect(r.isError).toBe(true);
    const cli = runOrchestra(['plan', 'show', 'plans/bad.yaml'], { cwd: repo.root });
    expect(cli.code).toBe(2);
    expect(text(r)).toBe(cli.stderr.trim());
    const missing = await call(client, 'run_status', { runId: 'no-such-run' });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toBe(runOrchestra(['status', 'no-such-run'], { cwd: repo.root }).stderr.trim());
  });

  it('reads a finished run and a run in progress from the hub', async () => {
    const client = await connect(repo.root);
    const runs = await call(client, 'runs_list');
    expect((runs.structuredContent as { runs: Array<{ id: string }> }).runs.map((r) => r.id).sort()).toEqual([
      'run-1',
      'run-live',
    ]);

    const finished = await call(client, 'run_status', { runId: 'run-1' });
    expect(finished.structuredContent).toMatchObject({
      run: { id: 'run-1', status: 'failed' },
      merged: ['api', 'web'],
    });
    const live = await call(client, 'run_status', { runId: 'run-live' });
    expect(live.structuredContent).toMatchObject({
      run: { id: 'run-live', status: 'running' },
      tasks: expect.arrayContaining([expect.objectContaining({ id: 'api', status: 'running' })]),
    });

    const report = await call(client, 'run_report', { runId: 'run-1' });
    const cliReport = JSON.parse(
      runOrchestra(['report', 'run-1', '--format', 'json'], { cwd: repo.root }).stdout,
    );
    const { display, ...reportJson } = report.structuredContent as Record<string, unknown>;
    expect(reportJson).toEqual(cliReport);
    expect(display).toBe(text(report));
    expect(text(report)).toMatch(/^# /m);

    const contracts = await call(client, 'hub_contracts', { runId: 'run-1' });
    expect(contracts.structuredContent).toMatchObject({
      runId: 'run-1',
      contracts: [{ id: 'operation', version: 1, owner: 'api' }],
    });
    const decisions = await call(client, 'hub_decisions', { runId: 'run-1' });
    expect(decisions.structuredContent).toMatchObject({
      decisions: [{ id: 'transport', decision: 'WebSocket over HTTP/1.1', source: 'plan' }],
    });
    const handoffs = await call(client, 'hub_handoffs', { runId: 'run-1', taskId: 'api' });
    expect(handoffs.structuredContent).toMatchObject({
      handoffs: [
        { taskId: 'api', handoff: { from: 'api', to: 'web', artifacts: { interfaces: ['Operation'] } } },
      ],
    });

    const leases = await call(client, 'leases');
    expect(leases.structuredContent).toMatchObject({
      leases: [{ runId: 'run-live', taskId: 'api', pattern: 'src/api/**', live: true, pid: process.pid }],
    });
  });

  it("builds a task's context packet and validates branches against a plan", async () => {
    const client = await connect(repo.root);
    const packet = await call(client, 'task_context', {
      planFile: 'plans/good.yaml',
      taskId: 'web',
      budget: 4000,
    });
    expect(packet.isError).toBeFalsy();
    expect(packet.structuredContent).toMatchObject({ budget: 4000 });
    expect((packet.structuredContent as { text: string }).text).toContain('Greeting page');

    const valid = await call(client, 'validate', {
      plan: 'plans/good.yaml',
      tasks: [
        { taskId: 'api', ref: 'work/api' },
        { taskId: 'web', ref: 'work/web' },
      ],
      noMerge: true,
    });
    expect(valid.isError, text(valid)).toBeFalsy();
    expect(valid.structuredContent).toMatchObject({ ok: true });

    const noTasks = await call(client, 'validate', { plan: 'plans/good.yaml' });
    expect(noTasks.isError).toBe(true);
    expect(text(noTasks)).toBe('orchestra: pass --task <task-id>=<git-ref> for each branch to validate');
  }, 60_000);

  it('refuses bad arguments with a clear tool error and keeps serving', async () => {
    const client = await connect(repo.root);
    const r = await call(client, 'plan_show', { file: 42 });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/Invalid arguments for tool plan_show/);
    expect(text(r)).toMatch(/file/);
    const negative = await call(client, 'plan_show', { file: 'plans/good.yaml', maxParallel: -1 });
    expect(negative.isError).toBe(true);
    const sources = await call(client, 'run_start', {});
    expect(sources.isError).toBe(true);
    expect(text(sources)).toBe(
      'orchestra: give exactly one of: a request ("<request>"), --plan <file>, or --resume <run-id>',
    );
    const after = await call(client, 'plan_check', { file: 'plans/good.yaml' });
    expect(after.structuredContent).toMatchObject({ valid: true });
  });

  it('serves a second client at the same time', async () => {
    const [a, b] = await Promise.all([connect(repo.root), connect(repo.root)]);
    const [ra, rb, la] = await Promise.all([
      call(a, 'run_status', { runId: 'run-1' }),
      call(b, 'leases', { runId: 'run-live' }),
      a.listTools(),
    ]);
    expect(ra.structuredContent).toMatchObject({ run: { id: 'run-1' } });
    expect(rb.structuredContent).toMatchObject({ leases: [{ taskId: 'api', live: true }] });
    expect(la.tools).toHaveLength(MCP_TOOL_NAMES.length);
  });

  it('writes nothing but JSON-RPC on stdout', async () => {
    const child = spawn(process.execPath, [ORCHESTRA_BIN, 'mcp'], {
      cwd: repo.root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const send = (m: unknown) => child.stdin.write(`${JSON.stringify(m)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'run_report', arguments: { runId: 'run-1' } },
    });
    send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'plan_show', arguments: { file: 'nope.yaml' } },
    });
    await new Promise<void>((resolve) => {
      const check = () => (out.split('\n').filter(Boolean).length >= 3 ? resolve() : setTimeout(check, 50));
      check();
    });
    child.stdin.end();
    await new Promise((r) => child.on('close', r));
    const lines = out.split('\n').filter(Boolean);
    for (const l of lines) expect(JSON.parse(l)).toMatchObject({ jsonrpc: '2.0' });
    expect(lines.map((l) => JSON.parse(l).id).sort()).toEqual([1, 2, 3]);
  });
});
