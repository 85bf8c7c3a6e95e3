import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HookCallback, Options, Query } from '@anthropic-ai/claude-agent-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../domain/agent.js';
import type { EventPayload } from '../domain/event.js';
import { createClaudeCodeExecutor, outputSchemaFor, processEnv, specialistTools } from './claude-code.js';
import type { ExecutionRequest } from './executor.js';

const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'orchestra-cc-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const agent: AgentDefinition = {
  name: 'api-dev',
  description: 'd',
  tools: ['Read', 'Write', 'Agent'],
  disallowedTools: ['WebFetch'],
  model: 'haiku',
  prompt: 'You build APIs.',
  source: { scope: 'builtin', path: '<t>' },
};
const request: ExecutionRequest = {
  runId: 'r9',
  taskId: 'T7',
  agent,
  packet: 'PACKET',
  prompt: 'do it',
  cwd: root,
  owns: ['src/**'],
  ownerOf: () => 'T8',
  env: { EXTRA: '1' },
};

/** A fake `query`: records the options, runs `script` with them, yields `messages`. */
function fakeQuery(script: (o: Options) => Promise<void>, messages: unknown[]) {
  const seen: Options[] = [];
  const query = ((args: { prompt: string; options: Options }) => {
    seen.push(args.options);
    return (async function* () {
      await script(args.options);
      for (const m of messages) yield m;
    })() as unknown as Query;
  }) as never;
  return { query, seen };
}

const ok = {
  type: 'result',
  subtype: 'success',
  is_error: false,
  num_turns: 1,
  total_cost_usd: 0,
  structured_output: { summary: 's' },
};
const preToolUse = (o: Options) => o.hooks?.PreToolUse?.[0]?.hooks[0] as HookCallback;
let hookSeq = 0;
const hookInput = (tool_name: string, tool_input: unknown) => ({
  hook_event_name: 'PreToolUse' as const,
  tool_name,
  tool_input,
  tool_use_id: `id-${++hookSeq}`,
  session_id: 's',
  transcript_path: '',
  cwd: root,
});

describe('createClaudeCodeExecutor', () => {
  it('gives Claude Code the agent, the packet, its tools only, no nested agents, no settings, a private config', async () => {
    const { query, seen } = fakeQuery(async () => {}, [ok]);
    const ex = createClaudeCodeExecutor({ query, env: { PATH: '/bin', CLAUDECODE: '1', HOME: '/h' } });
    expect(ex.specVersion).toBe('v1');
    expect(ex.name).toBe('claude-code');
    const outcome = await ex.start(request).outcome;
    expect(outcome.status).toBe('succeeded');
    expect(outcome.result?.summary).toBe('s');
    const o = seen[0]!;
    expect(o.cwd).toBe(root);
    expect(o.tools).toEqual(['Read', 'Write']);
    expect(o.disallowedTools).toEqual(['Agent', 'Task', 'WebFetch']);
    expect(o.settingSources).toEqual([]);
    expect(o.model).toBe('haiku');
    expect(o.includePartialMessages).toBe(true);
    // Claude Code's own prompt stays; the role comes first, then the per-task header and packet.
    expect(o.systemPrompt).toEqual({
      type: 'preset',
      preset: 'claude_code',
      append: 'You build APIs.\n\norchestra-task: T7\norchestra-agent: api-dev\norchestra-run: r9\n\nPACKET',
    });
    expect(o.env?.CLAUDECODE).toBeUndefined();
    expect(o.env?.EXTRA).toBe('1');
    expect(o.env?.CLAUDE_CONFIG_DIR).toMatch(/orchestra-claude-/);
    expect(o.outputFormat?.schema).not.toHaveProperty('$schema');
    expect(o.outputFormat?.schema).toHaveProperty('properties.summary');
  });

  it('allows owned writes without a prompt and denies others with the owner, in the hook and canUseTool', async () => {
    const decisions: unknown[] = [];
    const { query } = fakeQuery(
      async (o) => {
        const hook = preToolUse(o);
        const signal = new AbortController().signal;
        decisions.push(
          await hook(hookInput('Write', { file_path: `${root}/src/a.ts` }), undefined, { signal }),
        );
        decisions.push(
          await hook(hookInput('Write', { file_path: `${root}/lib/b.ts` }), undefined, { signal }),
        );
        decisions.push(await hook(hookInput('Bash', { command: 'ls' }), undefined, { signal }));
        decisions.push(
          await o.canUseTool?.('Edit', { file_path: '../x' }, { signal, toolUseID: 'c1' } as never),
        );
        decisions.push(await o.canUseTool?.('Bash', { command: 'ls' }, { signal, toolUseID: 'c2' } as never));
      },
      [ok],
    );
    const events: EventPayload[] = [];
    const withTools = { ...request, agent: { ...agent, tools: ['Read', 'Write', 'Edit', 'Bash'] } };
    const outcome = await createClaudeCodeExecutor({ query, env: {} }).start(withTools, {
      onEvent: (e) => events.push(e),
    }).outcome;
    expect(decisions[0]).toMatchObject({ hookSpecificOutput: { permissionDecision: 'allow' } });
    expect(decisions[1]).toMatchObject({
      hookSpecificOutput: {
        permissionDecision: 'deny',
        permissionDecisionReason: expect.stringMatching(/task T8/),
      },
    });
    expect(decisions[2]).toEqual({});
    expect(decisions[3]).toMatchObject({ behavior: 'deny', message: expect.stringMatching(/outside/) });
    expect(decisions[4]).toEqual({ behavior: 'allow', updatedInput: { command: 'ls' } });
    expect(events.filter((e) => e.type === 'tool.denied')).toHaveLength(2);
    expect(outcome.denials.map((d) => d.path)).toEqual(['lib/b.ts', path.join(path.dirname(root), 'x')]);
  });

  it("refuses, in the hook and canUseTool, a tool outside the agent's tool set", async () => {
    const decisions: unknown[] = [];
    const { query } = fakeQuery(
      async (o) => {
        const signal = new AbortController().signal;
        decisions.push(await preToolUse(o)(hookInput('Bash', { command: 'touch x' }), undefined, { signal }));
        decisions.push(
          await o.canUseTool?.('Edit', { file_path: `${root}/src/a.ts` }, {
            signal,
            toolUseID: 'c3',
          } as never),
        );
      },
      [ok],
    );
    const outcome = await createClaudeCodeExecutor({ query, env: {} }).start(request).outcome;
    expect(decisions[0]).toMatchObject({
      hookSpecificOutput: {
        permissionDecision: 'deny',
        permissionDecisionReason: expect.stringMatching(/not one of this agent's tools \(Read, Write\)/),
      },
    });
    expect(decisions[1]).toMatchObject({ behavior: 'deny' });
    expect(outcome.denials.map((d) => d.tool)).toEqual(['Bash', 'Edit']);
  });

  it('fails closed: a hook input that blows up while being read is denied', async () => {
    let decision: unknown;
    const { query } = fakeQuery(
      async (o) => {
        const evil = {
          get file_path(): string {
            throw new Error('boom');
          },
        };
        decision = await preToolUse(o)(hookInput('Write', evil), undefined, {
          signal: new AbortController().signal,
        });
      },
      [ok],
    );
    await createClaudeCodeExecutor({ query, env: {} }).start(request).outcome;
    expect(decision).toMatchObject({ hookSpecificOutput: { permissionDecision: 'deny' } });
  });

  it('reports a throw without a result as a crash, and a throw after an error result as that result', async () => {
    const crashing = fakeQuery(async () => {
      throw new Error('exited with code 9');
    }, []);
    const crashed = await createClaudeCodeExecutor({ query: crashing.query, env: {} }).start(request).outcome;
    expect(crashed).toMatchObject({ status: 'crashed', reason: 'crashed: exited with code 9' });

    const maxTurns = {
      ...ok,
      subtype: 'error_max_turns',
      is_error: true,
      errors: ['Reached maximum number of turns (1)'],
    };
    const q = ((_: unknown) =>
      (async function* () {
        yield maxTurns;
        throw new Error('Claude Code returned an error result: Reached maximum number of turns (1)');
      })() as unknown as Query) as never;
    const failed = await createClaudeCodeExecutor({ query: q, env: {} }).start(request).outcome;
    expect(failed).toMatchObject({
      status: 'failed',
      reason: 'max_turns: Reached maximum number of turns (1)',
    });
  });
});

describe('the environment and the sandbox of each process', () => {
  const base = {
    PATH: '/usr/bin',
    ANTHROPIC_API_KEY: 'sk-model',
    GITHUB_TOKEN: 'ghp-planted',
    HOME: '/home/user',
    KEEP_ME: 'yes',
  };
  it('passes the allowlist (plus env.passThrough) with a private HOME, never the rest of the user environment', async () => {
    const { query, seen } = fakeQuery(async () => {}, [ok]);
    await createClaudeCodeExecutor({ query, env: base, envPassThrough: ['KEEP_ME'] }).start(request).outcome;
    const env = seen[0]?.env ?? {};
    expect(env.GITHUB_TOKEN).toBeUndefined();
    expect(env.ANTHROPIC_API_KEY).toBe('sk-model');
    expect(env.KEEP_ME).toBe('yes');
    expect(env.HOME).not.toBe('/home/user');
    expect(env.CLAUDE_CODE_SHELL_PREFIX).toBeUndefined();
    expect(seen[0]?.spawnClaudeCodeProcess).toBeUndefined();
  });
  it('with a sandbox, spawns Claude Code itself and sends Bash through the prefix; the private dir goes afterwards', async () => {
    let prefix = '';
    const { query, seen } = fakeQuery(
      async (o) => {
        prefix = o.env?.CLAUDE_CODE_SHELL_PREFIX ?? '';
        expect(readFileSync(prefix, 'utf8')).toContain('--unshare-pid');
      },
      [ok],
    );
    await createClaudeCodeExecutor({
      query,
      env: base,
      sandbox: { runtime: { kind: 'bubblewrap', path: '/usr/bin/bwrap' }, network: false },
    }).start(request).outcome;
    const o = seen[0];
    expect(typeof o?.spawnClaudeCodeProcess).toBe('function');
    expect(o?.env).toMatchObject({
      ORCHESTRA_BWRAP: '/usr/bin/bwrap',
      ORCHESTRA_SANDBOX_NETWORK: 'off',
      SHELL: '/bin/bash',
    });
    expect(existsSync(prefix)).toBe(false);
  });
});

describe('helpers', () => {
  it('specialistTools drops nested agents and defaults when the agent lists none', () => {
    expect(specialistTools(['Read', 'Task', 'Agent', 'Bash'])).toEqual(['Read', 'Bash']);
    expect(specialistTools(undefined)).toContain('Write');
  });
  it('processEnv merges, removes CLAUDECODE and sets the config dir', () => {
    expect(
      processEnv({ A: '1', CLAUDECODE: '1', U: undefined }, { B: '2', CLAUDECODE: 'x' }, '/cfg'),
    ).toEqual({
      A: '1',
      B: '2',
      CLAUDE_CONFIG_DIR: '/cfg',
    });
  });
  it('outputSchemaFor drops $schema from a custom schema too', () => {
    expect(outputSchemaFor({ outputSchema: { $schema: 'x', type: 'object' } })).toEqual({ type: 'object' });
  });
});
