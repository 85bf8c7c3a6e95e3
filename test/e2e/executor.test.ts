import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../src/domain/event.js';
import {
  type ClaudeCodeExecutorSettings,
  createClaudeCodeExecutor,
  type ExecutionRequest,
} from '../../src/executor/index.js';
import { call, manualTimers, type Scenario, scenario, startModelServer } from '../../src/testing/index.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { gitRepo, testAgent } from '../support/scenario-fixtures.js';

// ClaudeCodeExecutor driving the real Claude Code binary against the scripted model server.

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const done = { summary: 'done', contracts: [{ id: 'api', definition: 'export type A = 1' }] };

async function setup(s: Scenario, settings: Partial<ClaudeCodeExecutorSettings> = {}) {
  const server = await startModelServer(s);
  cleanup.push(() => server.close({ verify: false }));
  const dir = tempDir('orchestra-exec-');
  cleanup.push(dir.remove);
  const root = realpathSync(dir.path);
  const repo = gitRepo(path.join(root, 'repo'), { 'README.md': '# r\n', 'src/api/.keep': '' });
  const executor = createClaudeCodeExecutor({
    env: claudeTestEnv(server.url, root),
    model: 'claude-sonnet-4-5',
    maxTurns: 10,
    ...settings,
  });
  const request = (over: Partial<ExecutionRequest> = {}): ExecutionRequest => ({
    runId: 'r1',
    taskId: 'T1',
    agent: testAgent(),
    packet: '## Context packet\nYou own src/api.',
    prompt: 'Implement the API.',
    cwd: repo,
    owns: ['src/api/**'],
    ownerOf: (p) => (p.startsWith('src/web/') ? 'T2' : undefined),
    ...over,
  });
  const run = async (over: Partial<ExecutionRequest> = {}) => {
    const events: EventPayload[] = [];
    const execution = executor.start(request(over), { onEvent: (e) => events.push(e) });
    const outcome = await execution.outcome;
    return { outcome, events };
  };
  return { server, root, repo, executor, request, run };
}

describe('ClaudeCodeExecutor with the real binary', () => {
  it('lands an owned write with no prompt, hashes it, counts tokens per turn, parses the result', async () => {
    const t = await setup(
      scenario()
        .on({ taskId: 'T1', agent: 'backend-specialist' })
        .write('src/api/users.ts', 'export const users = [];\n')
        .usage({ input: 1500, output: 40, cacheCreation: 200, cacheRead: 300 })
        .structured(done)
        .usage({ input: 1600, output: 25, cacheCreation: 0, cacheRead: 1700 }),
    );
    const { outcome, events } = await t.run();
    expect(outcome.reason).toBeUndefined();
    expect(outcome.status).toBe('succeeded');
    expect(readFileSync(path.join(t.repo, 'src/api/users.ts'), 'utf8')).toBe('export const users = [];\n');
    expect(outcome.result).toEqual({ ...done, testRequirements: [], dependenciesNeeded: [], notes: [] });
    expect(outcome.filesChanged).toEqual(['src/api/users.ts']);
    expect(outcome.denials).toEqual([]);
    expect(events).toContainEqual({
      type: 'file.changed',
      path: 'src/api/users.ts',
      sha256: sha('export const users = [];\n'),
    });
    expect(events.filter((e) => e.type === 'tool.used').map((e) => e.type === 'tool.used' && e.tool)).toEqual(
      ['Write', 'StructuredOutput'],
    );
    const usage = events.flatMap((e) => (e.type === 'usage' ? [e.usage] : []));
    expect(usage).toEqual([
      { inputTokens: 1500, outputTokens: 40, cacheCreationInputTokens: 200, cacheReadInputTokens: 300 },
      { inputTokens: 1600, outputTokens: 25, cacheCreationInputTokens: 0, cacheReadInputTokens: 1700 },
    ]);
    expect(outcome.usage).toEqual({
      inputTokens: 3100,
      outputTokens: 65,
      cacheCreationInputTokens: 200,
      cacheReadInputTokens: 2000,
    });
    expect(outcome.costUsd).toBeGreaterThan(0);
    // What the binary was given: the agent's tools only, no nested agents, our system prompt.
    const body = t.server.requests[0]?.body as {
      tools: Array<{ name: string }>;
      system: Array<{ text: string }>;
    };
    expect(body.tools.map((x) => x.name).sort()).toEqual([
      'Bash',
      'Edit',
      'Read',
      'StructuredOutput',
      'Write',
    ]);
    const system = body.system.map((b) => b.text).join('\n');
    expect(system).toContain('orchestra-task: T1');
    expect(system).toContain('You are backend-specialist.');
    expect(system).toContain('## Context packet');
    t.server.assertAllConsumed();
  });

  it('denies writes outside ownership: relative, ../, absolute, through a symlink, a prefix sibling', async () => {
    const dir = tempDir('orchestra-outside-');
    cleanup.push(dir.remove);
    const outside = realpathSync(dir.path);
    const t = await setup(
      scenario()
        .on({ taskId: 'T1' })
        .write('src/web/page.ts', 'web')
        .write('../escape.txt', 'up')
        .write(path.join(outside, 'abs.txt'), 'abs')
        .write('src/api/link/through.txt', 'link')
        .write('src/apix/sibling.ts', 'sib')
        .calls(call.write('src/api/ok.ts', 'ok'), call.structured(done)),
    );
    symlinkSync(outside, path.join(t.repo, 'src/api/link'));
    const { outcome, events } = await t.run();
    expect(outcome.status).toBe('succeeded');
    for (const p of ['src/web/page.ts', '../escape.txt', 'src/apix/sibling.ts']) {
      expect(existsSync(path.join(t.repo, p)), p).toBe(false);
    }
    expect(existsSync(path.join(outside, 'abs.txt'))).toBe(false);
    expect(existsSync(path.join(outside, 'through.txt'))).toBe(false);
    expect(readFileSync(path.join(t.repo, 'src/api/ok.ts'), 'utf8')).toBe('ok');
    const denied = events.filter((e) => e.type === 'tool.denied');
    expect(denied).toHaveLength(5);
    expect(outcome.denials).toHaveLength(5);
    expect(outcome.denials[0]).toMatchObject({ tool: 'Write', path: 'src/web/page.ts' });
    expect(outcome.denials[0]?.reason).toMatch(/owned by task T2/);
    expect(outcome.denials[4]).toMatchObject({ path: 'src/apix/sibling.ts' });
    // The model was told why, in the tool result it got back.
    const last = JSON.stringify(t.server.requests.at(-1)?.body);
    expect(last).toContain('owned by task T2');
    expect(outcome.filesChanged).toEqual(['src/api/ok.ts']);
  });

  it('hashes each state of a file edited after a read', async () => {
    const t = await setup(
      scenario()
        .on({ taskId: 'T1' })
        .write('src/api/v.ts', 'export const v = 1;\n')
        .read('src/api/v.ts')
        .edit('src/api/v.ts', 'v = 1', 'v = 2')
        .structured(done),
    );
    const { outcome, events } = await t.run();
    expect(outcome.status).toBe('succeeded');
    expect(events.filter((e) => e.type === 'file.changed')).toEqual([
      { type: 'file.changed', path: 'src/api/v.ts', sha256: sha('export const v = 1;\n') },
      { type: 'file.changed', path: 'src/api/v.ts', sha256: sha('export const v = 2;\n') },
    ]);
    expect(events.filter((e) => e.type === 'tool.failed')).toEqual([]);
  });

  it('retries 429 and 529 and records each retry', async () => {
    const t = await setup(scenario().on({ taskId: 'T1' }).error(429).error(529).structured(done));
    const { outcome, events } = await t.run();
    expect(outcome.status).toBe('succeeded');
    const retries = events.filter((e) => e.type === 'api.retry');
    expect(retries.map((e) => e.type === 'api.retry' && e.status)).toEqual([429, 529]);
  });

  it('surfaces a 500 that outlasts the retries as a failure with its reason', async () => {
    // claudeTestEnv sets CLAUDE_CODE_MAX_RETRIES=2: three errors exhaust them.
    const t = await setup(scenario().on({ taskId: 'T1' }).error(500, { times: 3, message: 'backend down' }));
    const { outcome, events } = await t.run();
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toMatch(/^api_error: .*500/);
    expect(events.filter((e) => e.type === 'api.retry')).toHaveLength(2);
    t.server.assertAllConsumed();
  });

  it('records a max-turns ending with its reason', async () => {
    const t = await setup(scenario().on({ taskId: 'T1' }).write('src/api/a.ts', 'a'));
    const { outcome } = await t.run({ maxTurns: 1 });
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toMatch(/^max_turns/);
    expect(existsSync(path.join(t.repo, 'src/api/a.ts'))).toBe(true);
  });

  it('records a budget ending with its reason', async () => {
    // 200k input tokens of Sonnet cost more than the 1 cent budget after the first turn.
    const t = await setup(
      scenario().on({ taskId: 'T1' }).write('src/api/a.ts', 'a').usage({ input: 200_000, output: 10 }),
    );
    const { outcome } = await t.run({ maxBudgetUsd: 0.01 });
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toMatch(/^max_budget/);
    expect(outcome.costUsd).toBeGreaterThan(0.01);
    t.server.assertAllConsumed();
  });

  it('reports a process killed mid-run as crashed', async () => {
    const t = await setup(scenario().on({ taskId: 'T1' }).bash('kill -9 $PPID; sleep 5'));
    const { outcome } = await t.run();
    expect(outcome.status).toBe('crashed');
    expect(outcome.reason).toMatch(/^crashed: .*(SIGKILL|signal|code)/);
  });

  it('fails a run that ends without its structured result', async () => {
    // Claude Code nudges once ("[structured-output-enforce] You MUST call the StructuredOutput tool"), then gives up.
    const t = await setup(scenario().on({ taskId: 'T1' }).text('I am done.').text('Still done.'));
    const { outcome } = await t.run();
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toMatch(/^no_result/);
  });

  it('terminates on request, keeping the work done so far', async () => {
    const t = await setup(scenario().on({ taskId: 'T1' }).write('src/api/kept.ts', 'kept').hang());
    const execution = t.executor.start(t.request());
    await t.server.waitFor((r) => r.served?.label === 'hang');
    await execution.terminate('terminated: context 87%');
    const outcome = await execution.outcome;
    expect(outcome.status).toBe('terminated');
    expect(outcome.reason).toBe('terminated: context 87%');
    expect(readFileSync(path.join(t.repo, 'src/api/kept.ts'), 'utf8')).toBe('kept');
    const events: EventPayload[] = [];
    for await (const e of execution.events) events.push(e);
    expect(events.some((e) => e.type === 'file.changed')).toBe(true);
  });

  it('detects a hung process (no message for hungAfterMs) with an injected timer', async () => {
    const timers = manualTimers();
    const t = await setup(scenario().on({ taskId: 'T1' }).hang(), { timers, hungAfterMs: 5000 });
    const execution = t.executor.start(t.request());
    await t.server.waitFor((r) => r.served?.label === 'hang');
    expect(timers.pending).toBe(1);
    timers.fireAll();
    const outcome = await execution.outcome;
    expect(outcome.status).toBe('hung');
    expect(outcome.reason).toMatch(/no message from Claude Code for 5000 ms/);
  });

  it('reports a process that cannot start as crashed', async () => {
    const t = await setup(scenario(), {
      pathToClaudeCodeExecutable: '/nonexistent/claude',
    });
    const { outcome } = await t.run();
    expect(outcome.status).toBe('crashed');
    expect(outcome.reason).toMatch(/^crashed: .*not found/);
  });
});

describe('ClaudeCodeExecutor environment', () => {
  it('runs each process with its own config dir, removed afterwards, even with CLAUDECODE in the base env', async () => {
    const t = await setup(
      scenario().on({ taskId: 'T1' }).bash('echo "cfg=$CLAUDE_CONFIG_DIR"').structured(done),
      {
        env: { ...process.env, CLAUDECODE: '1' } as Record<string, string>,
      },
    );
    // The base env above lacks the scripted server: the request adds it.
    const { outcome } = await t.run({ env: claudeTestEnv(t.server.url, t.root) });
    expect(outcome.status).toBe('succeeded');
    const toolResult = JSON.stringify(t.server.requests.at(-1)?.body);
    const configDir = /cfg=(\/[^\\"<]+)/.exec(toolResult)?.[1]?.trim();
    expect(configDir).toMatch(/orchestra-claude-/);
    expect(configDir).not.toBe(path.join(t.root, '.claude'));
    expect(existsSync(configDir ?? '/')).toBe(false);
  });
});
