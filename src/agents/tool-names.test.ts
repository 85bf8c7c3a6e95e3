import { describe, expect, it } from 'vitest';
import { CLAUDE_CODE_TOOLS, checkToolRule } from './tool-names.js';

describe('tool names', () => {
  it("know every built-in tool of the installed Agent SDK's Claude Code", async () => {
    const sdk = (await import('@anthropic-ai/claude-agent-sdk')) as {
      BUILTIN_TOOL_NAMES?: readonly string[];
    };
    expect(sdk.BUILTIN_TOOL_NAMES?.length).toBeGreaterThan(10);
    const missing = (sdk.BUILTIN_TOOL_NAMES ?? []).filter((n) => !CLAUDE_CODE_TOOLS.includes(n));
    expect(missing).toEqual([]);
  });

  it.each([
    'Read',
    'Task',
    'Agent',
    'Bash(git diff *)',
    'Bash(npm run test:*)',
    'Read(./src/**)',
    'WebFetch(domain:example.com)',
    'mcp__github__create_issue',
    'mcp__orchestra__*',
    'mcp__orchestra',
  ])('accepts %s', (rule) => {
    expect(checkToolRule(rule)).toEqual({ ok: true });
  });

  it.each([
    ['Reed', /unknown tool "Reed" \(did you mean "Read"\?\)/],
    ['bash', /unknown tool "bash" \(did you mean "Bash"\?\)/],
    ['Bash()', /empty specifier/],
    ['Bash(git', /malformed/],
    ['mcp__', /malformed MCP/],
    ['Frobnicate', /^unknown tool "Frobnicate"$/],
  ])('rejects %s', (rule, reason) => {
    const r = checkToolRule(rule);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});
