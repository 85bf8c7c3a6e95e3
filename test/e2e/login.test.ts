import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClaudeCodeExecutor } from '../../src/executor/index.js';
import { scenario, startModelServer } from '../../src/testing/index.js';
import { runOrchestra } from '../support/cli.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { gitRepo, testAgent } from '../support/scenario-fixtures.js';

// A user logged in with `claude` (a subscription) and no API key: the specialist runs as them.

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const TOKEN = 'sk-ant-oat01-fake-subscription-token-for-tests';
const credentials = JSON.stringify({
  claudeAiOauth: {
    accessToken: TOKEN,
    refreshToken: 'sk-ant-ort01-fake-refresh',
    expiresAt: Date.now() + 3_600_000,
    scopes: ['user:inference', 'user:profile'],
    subscriptionType: 'max',
  },
});

describe('the user’s own login', () => {
  it('a subscription login reaches each specialist as a bearer token; doctor names it, never the token', async () => {
    const server = await startModelServer(
      scenario().on({ taskId: 'T1' }).write('src/api/a.ts', 'export const a = 1;\n').structured({
        summary: 'done',
        contracts: [],
        testRequirements: [],
        dependenciesNeeded: [],
        notes: [],
      }),
    );
    cleanup.push(() => server.close({ verify: false }));
    const dir = tempDir('orchestra-login-');
    cleanup.push(dir.remove);
    const root = realpathSync(dir.path);
    const repo = gitRepo(path.join(root, 'repo'), { 'README.md': '# r\n' });
    // The user's config dir, as `claude` /login leaves it; no API key anywhere.
    const userConfig = path.join(root, '.claude');
    mkdirSync(userConfig, { recursive: true });
    writeFileSync(path.join(userConfig, '.credentials.json'), credentials, { mode: 0o600 });
    const { ANTHROPIC_API_KEY: _none, ...env } = claudeTestEnv(server.url, root);

    const executor = createClaudeCodeExecutor({ env, model: 'claude-sonnet-4-5', maxTurns: 5 });
    const outcome = await executor.start({
      runId: 'r1',
      taskId: 'T1',
      agent: testAgent(),
      packet: 'You own src/api.',
      prompt: 'Begin task T1.',
      cwd: repo,
      owns: ['src/api/**'],
    }).outcome;
    expect(outcome.status, outcome.reason).toBe('succeeded');
    const turns = server.requests.filter((r) => r.served?.kind === 'turn');
    expect(turns.length).toBeGreaterThan(0);
    for (const r of turns) {
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(r.headers['x-api-key']).toBeUndefined();
    }

    const doctor = runOrchestra(['doctor', '--json'], { cwd: repo, env: { ...env, ANTHROPIC_API_KEY: '' } });
    const report = JSON.parse(doctor.stdout) as { login: { kind: string; source: string } };
    expect(report.login).toMatchObject({
      kind: 'subscription',
      source: path.join(userConfig, '.credentials.json'),
    });
    expect(doctor.stdout).not.toContain(TOKEN);
    const text = runOrchestra(['doctor'], { cwd: repo, env: { ...env, ANTHROPIC_API_KEY: '' } });
    expect(text.stdout).toMatch(/login: +Claude subscription \(logged in with `claude`\), max/);
    expect(text.stdout).toMatch(/claude code: +2\.\d+\.\d+/);
    expect(`${text.stdout}${text.stderr}`).not.toContain(TOKEN);
  }, 120_000);
});
