import { didYouMean } from './suggest.js';

/**
 * Claude Code's built-in tool names: the Agent SDK's `BUILTIN_TOOL_NAMES` (a test keeps this list a
 * superset of the installed SDK's) plus names older versions used and agent files still carry
 * (Task before it became Agent, BashOutput/KillShell before TaskOutput/TaskStop, MultiEdit, LS …).
 */
export const CLAUDE_CODE_TOOLS: readonly string[] = [
  // current
  'Agent',
  'Artifact',
  'AskUserQuestion',
  'Bash',
  'ClaudeDesign',
  'CronCreate',
  'CronDelete',
  'CronList',
  'Edit',
  'EndConversation',
  'EnterPlanMode',
  'EnterWorktree',
  'ExitPlanMode',
  'ExitWorktree',
  'Glob',
  'Grep',
  'ListAgents',
  'ListMcpResourcesTool',
  'LSP',
  'Monitor',
  'NotebookEdit',
  'OfferChromeSetup',
  'PowerShell',
  'Projects',
  'propose_skills',
  'PushNotification',
  'Read',
  'ReadMcpResourceDirTool',
  'ReadMcpResourceTool',
  'ReadNotifications',
  'RemoteTrigger',
  'ReportFindings',
  'ScheduleWakeup',
  'SendFeedback',
  'SendMessage',
  'SendUserFile',
  'SendUserMessage',
  'SetGoal',
  'ShareOnboardingGuide',
  'ShowOnboardingRolePicker',
  'Skill',
  'StructuredOutput',
  'SubagentHandback',
  'TaskCreate',
  'TaskGet',
  'TaskList',
  'TaskOutput',
  'TaskStop',
  'TaskUpdate',
  'TeamCreate',
  'TeamDelete',
  'TodoWrite',
  'ToolSearch',
  'WaitForMcpServers',
  'WebFetch',
  'WebSearch',
  'Workflow',
  'Write',
  // older names still accepted
  'BashOutput',
  'KillShell',
  'ListMcpResources',
  'LS',
  'MultiEdit',
  'NotebookRead',
  'ReadMcpResource',
  'SlashCommand',
  'Task',
  'TodoRead',
];

const known = new Set(CLAUDE_CODE_TOOLS);
/** `mcp__server__tool`, `mcp__server__*` and `mcp__server` (all of a server's tools). */
const MCP_RULE = /^mcp__[A-Za-z0-9_-]+?(?:__(?:[A-Za-z0-9_.-]+|\*))?$/;
/** `Tool` or `Tool(specifier)`, e.g. `Bash(git diff *)`, `Read(./src/**)`, `WebFetch(domain:x.dev)`. */
const TOOL_RULE = /^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?$/s;

/** The outcome of checking one entry of `tools`/`disallowedTools`. */
export type ToolRuleCheck = { ok: true } | { ok: false; reason: string };

/** Check one tool entry of an agent file the way Claude Code reads it. */
export function checkToolRule(rule: string): ToolRuleCheck {
  const r = rule.trim();
  if (r.startsWith('mcp__')) {
    return MCP_RULE.test(r)
      ? { ok: true }
      : { ok: false, reason: `malformed MCP tool "${r}": use mcp__<server>__<tool> or mcp__<server>__*` };
  }
  const m = TOOL_RULE.exec(r);
  if (!m) {
    return {
      ok: false,
      reason: `malformed tool entry "${r}": use a tool name, "Tool(specifier)" or "mcp__server__tool"`,
    };
  }
  const name = m[1] ?? '';
  if (known.has(name)) {
    if (m[2] !== undefined && m[2].trim() === '') return { ok: false, reason: `empty specifier in "${r}"` };
    return { ok: true };
  }
  return {
    ok: false,
    reason: `unknown tool "${name}"${didYouMean(name, CLAUDE_CODE_TOOLS)}`,
  };
}
