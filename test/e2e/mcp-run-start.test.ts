import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startModelServer } from '../../src/testing/index.js';
import { ORCHESTRA_BIN } from '../support/cli.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { runRepo, runScenario } from './run-fixtures.js';

// run_start through `orchestra mcp`: the run goes on in the background (real engine, real Claude
// Code binary, scripted model), marks itself active for the collision guard while it plays, and
// run_status follows it to the end.
let cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('run_start', () => {
  it('starts a run in the background, returns its id at once, and run_status follows it to green', async () => {
    const dir = tempDir('orchestra-mcp-run-');
    cleanup.push(dir.remove);
    const { repo, planFile } = runRepo(join(dir.path, 'repo'));
    const server = await startModelServer(runScenario());
    cleanup.push(() => server.close({ verify: false }));
    const env = { ...claudeTestEnv(server.url, dir.path), NO_COLOR: '1' };
    const client = new Client({ name: 'orchestra-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [ORCHESTRA_BIN, 'mcp'],
        cwd: repo,
        env,
        stderr: 'pipe',
      }),
    );
    cleanup.push(() => client.close());
    const call = async (name: string, args: Record<string, unknown>) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult;

    const started = await call('run_start', { planFile, maxParallel: 2 });
    expect(started.isError, JSON.stringify(started.content)).toBeFalsy();
    const { runId, pid, log } = started.structuredContent as { runId: string; pid: number; log: string };
    expect(runId).toMatch(/\S/);
    expect(pid).toBeGreaterThan(0);
    expect(existsSync(log)).toBe(true);

    let sawMarker = false;
    let state = '';
    const deadline = Date.now() + 280_000;
    while (Date.now() < deadline) {
      const active = join(repo, '.orchestra', 'active');
      if (existsSync(active) && readdirSync(active).includes(`${runId}.json`)) sawMarker = true;
      const status = await call('run_status', { runId });
      state = (status.structuredContent as { state: string }).state;
      if (['succeeded', 'failed', 'stopped', 'interrupted'].includes(state)) break;
      await sleep(500);
    }
    expect(state).toBe('succeeded');
    expect(sawMarker).toBe(true);
    // The hub says succeeded before the engine has closed the run; its marker goes when it ends.
    for (let alive = true; alive && Date.now() < deadline + 30_000; await sleep(200)) {
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
    }
    expect(readdirSync(join(repo, '.orchestra', 'active'))).toEqual([]);
    const report = await call('run_report', { runId });
    expect(report.structuredContent).toMatchObject({ run: { id: runId }, version: 1 });
    expect((report.structuredContent as { display: string }).display).toMatch(
      /Status: succeeded; 3 of 3 tasks merged/,
    );
  }, 320_000);
});
