import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { PlanInput } from '../../src/domain/plan.js';
import { openHub } from '../../src/hub/index.js';
import { scenario, startModelServer } from '../../src/testing/index.js';
import { ORCHESTRA_BIN, runOrchestra } from '../support/cli.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { gitRepo } from '../support/scenario-fixtures.js';

// `kill -9` of `orchestra run` during an attempt: the turns already streamed stay paid for.

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const plan: PlanInput = {
  version: 1,
  goal: 'One module',
  tasks: [
    {
      id: 'solo',
      title: 'Module',
      agent: 'backend-specialist',
      owns: ['src/**'],
      successCriteria: [{ description: 'exists', command: 'test -f src/index.ts' }],
    },
  ],
};

describe('usage of a killed run', () => {
  it('the streamed turns of the killed attempt are in the hub and the report', async () => {
    const server = await startModelServer(
      scenario()
        .on({ taskId: 'solo' })
        .read('README.md')
        .usage({ input: 1234, output: 56 })
        .read('README.md')
        .usage({ input: 2345, output: 67 })
        .hang(),
    );
    cleanup.push(() => server.close({ verify: false }));
    const dir = tempDir('orchestra-killed-');
    cleanup.push(dir.remove);
    const root = realpathSync(dir.path);
    const repo = gitRepo(path.join(root, 'repo'), { 'README.md': '# killed\n' });
    const planFile = path.join(root, 'plan.yaml');
    writeFileSync(planFile, stringify(plan));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...claudeTestEnv(server.url, root),
      GIT_CONFIG_GLOBAL: '/dev/null',
      NO_COLOR: '1',
    };
    delete env.CLAUDECODE;
    const child: ChildProcess = spawn(
      process.execPath,
      [ORCHESTRA_BIN, 'run', '--plan', planFile, '--yes', '--model', 'claude-sonnet-4-5'],
      { cwd: repo, env, stdio: 'ignore' },
    );
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    cleanup.push(async () => {
      child.kill('SIGKILL');
      await exited;
    });

    // Wait for both turns to be served, then kill the engine while the third one hangs.
    const hubFile = path.join(repo, '.orchestra', 'hub.db');
    const deadline = Date.now() + 90_000;
    let runId: string | undefined;
    for (;;) {
      if (Date.now() > deadline) throw new Error('the two turns were never served');
      if (server.requests.filter((r) => r.served?.kind === 'turn').length >= 3 && existsSync(hubFile)) {
        const hub = openHub({ path: hubFile });
        try {
          runId = hub.runs.list()[0]?.id;
          if (runId && hub.usage.list(runId, 'solo').length >= 2) break;
        } finally {
          hub.close();
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    child.kill('SIGKILL');
    await exited;

    const hub = openHub({ path: hubFile });
    try {
      const rows = hub.usage.list(runId as string, 'solo');
      expect(rows.map((u) => [u.inputTokens, u.outputTokens])).toEqual([
        [1234, 56],
        [2345, 67],
      ]);
      expect(rows.every((u) => u.costUsd > 0 && u.attempt === 1 && u.layer === 'specialist')).toBe(true);
    } finally {
      hub.close();
    }
    const report = runOrchestra(['report', runId as string, '--format', 'json'], { cwd: repo, env });
    expect(report.code, report.stderr).toBe(0);
    const json = JSON.parse(report.stdout) as {
      tasks: Array<{ id: string; usage: { inputTokens: number; outputTokens: number; costUsd: number } }>;
    };
    const solo = json.tasks.find((t) => t.id === 'solo');
    expect(solo?.usage).toMatchObject({ inputTokens: 3579, outputTokens: 123 });
    expect(solo?.usage.costUsd).toBeGreaterThan(0);
  }, 180_000);
});
