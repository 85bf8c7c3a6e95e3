import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURE_PLAN } from '../../test/run/hub-fixture.js';
import { initRepo, tempDir } from '../../test/validator/fixture.js';
import { buildPacket, type Hub, loadTokenizer, openHub, type Tokenizer } from '../hub/index.js';
import { hubStateText, measureFullContext } from './full-context.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Counts characters: exact figures to assert on. */
const chars: Tokenizer = { name: 'chars', count: (t) => t.length };

function setup() {
  const { dir, cleanup } = tempDir('orchestra-full-context-');
  cleanups.push(cleanup);
  const api = 'export const handler = () => 1;\n';
  const shared = 'export interface User { id: string }\n';
  initRepo(dir, {
    'src/api/server.ts': api,
    'src/api/logo.png': 'PNG\u0000\u0001binary',
    'src/shared/types.ts': shared,
    'src/shared/big.json': `[${'1,'.repeat(600)}1]`,
    'src/web/app.ts': 'export const app = 1;\n', // neither read nor owned by api
    'README.md': '# app\n',
  });
  const hub = openHub({ path: ':memory:' });
  cleanups.push(() => hub.close());
  hub.runs.create({ id: 'r', goal: FIXTURE_PLAN.goal, repo: dir, plan: FIXTURE_PLAN });
  hub.handoffs.put('r', 'api', {
    from: 'backend-specialist#1',
    to: 'backend-specialist#2',
    timestamp: '2026-01-02T00:00:00Z',
    artifacts: { interfaces: ['export interface Operation { userId: string }'] },
    nextAgentContext: { focus: 'finish the server' },
  });
  hub.completions.add({
    runId: 'r',
    taskId: 'db',
    attempt: 1,
    summary: 'tables created',
    files: ['src/db/schema.sql'],
  });
  return { dir, hub, api, shared };
}

describe('measureFullContext', () => {
  it('counts every tracked file the task reads or owns plus all hub state, skipping binaries and huge files', async () => {
    const { dir, hub, api, shared } = setup();
    const full = await measureFullContext({
      root: dir,
      task: 'api',
      plan: FIXTURE_PLAN,
      hub,
      runId: 'r',
      tokenizer: chars,
      maxFileBytes: 1000,
    });
    expect(full.files).toEqual([
      { path: 'src/api/server.ts', tokens: api.length },
      { path: 'src/shared/types.ts', tokens: shared.length },
    ]);
    expect(full.skipped).toEqual([
      { path: 'src/api/logo.png', reason: 'binary' },
      { path: 'src/shared/big.json', reason: 'larger than 1000 bytes (1203)' },
    ]);
    const state = hubStateText(hub, 'r', FIXTURE_PLAN);
    expect(full.hubTokens).toBe(state.length);
    expect(full.tokens).toBe(api.length + shared.length + state.length);
    // All the run's shared state is in it: decisions, contracts, handoffs, completions.
    expect(state).toContain('transport: WebSocket over HTTP/1.1');
    expect(state).toContain('## operation v1 (typescript, owner api)');
    expect(state).toContain('finish the server');
    expect(state).toContain('- db (attempt 1): tables created; files: src/db/schema.sql');
  });

  it('counts with the tokenizer packets are counted with, so the two figures compare', async () => {
    const { dir, hub } = setup();
    const task = FIXTURE_PLAN.tasks[0] as (typeof FIXTURE_PLAN.tasks)[number];
    const full = await measureFullContext({ root: dir, task, plan: FIXTURE_PLAN, hub, runId: 'r' });
    const packet = await buildPacket({
      plan: FIXTURE_PLAN,
      taskId: 'api',
      hub: { hub: hub as Hub, runId: 'r' },
    });
    expect(full.tokenizer).toBe(packet.tokenizer);
    const real = await loadTokenizer();
    const big = `[${'1,'.repeat(600)}1]`;
    expect(full.files.find((f) => f.path === 'src/shared/big.json')?.tokens).toBe(real.count(big));
    expect(full.hubTokens).toBe(real.count(hubStateText(hub, 'r', FIXTURE_PLAN)));
    expect(full.tokens).toBe(full.files.reduce((s, f) => s + f.tokens, 0) + full.hubTokens);
  });

  it('refuses a task that is not in the plan', async () => {
    const { dir, hub } = setup();
    await expect(
      measureFullContext({ root: dir, task: 'nope', plan: FIXTURE_PLAN, hub, runId: 'r', tokenizer: chars }),
    ).rejects.toThrow(/no task "nope"/);
  });
});
