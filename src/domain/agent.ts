import { z } from 'zod';

/** Permission modes Claude Code accepts in an agent's frontmatter. */
export const PERMISSION_MODES = [
  'default',
  'acceptEdits',
  'auto',
  'dontAsk',
  'bypassPermissions',
  'plan',
] as const;
/** Model aliases Claude Code accepts besides a full model id. */
export const MODEL_ALIASES = ['sonnet', 'opus', 'haiku', 'inherit'] as const;
/** Agent names: lowercase letters, digits and hyphens, not starting with a hyphen. */
export const AGENT_NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/** `tools: Read, Grep` and `tools: [Read, Grep]` both mean a list. */
const toolList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v,
  z.array(z.string().min(1)),
);

/** Claude Code subagent frontmatter (reference §1). Unknown keys are kept: Claude Code may add more. */
export const agentFrontmatterSchema = z
  .object({
    name: z
      .string()
      .regex(AGENT_NAME_PATTERN, 'lowercase letters, digits and hyphens, not starting with "-"'),
    description: z.string().min(1),
    tools: toolList.optional(),
    disallowedTools: toolList.optional(),
    model: z.string().min(1).optional(),
    permissionMode: z.enum(PERMISSION_MODES).optional(),
    maxTurns: z.number().int().positive().optional(),
    skills: toolList.optional(),
    mcpServers: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
    hooks: z.record(z.string(), z.unknown()).optional(),
    memory: z.enum(['user', 'project', 'local']).optional(),
    background: z.boolean().optional(),
    effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).optional(),
    isolation: z.literal('worktree').optional(),
    color: z.string().optional(),
    initialPrompt: z.string().optional(),
  })
  .passthrough();

/** Where an agent definition came from, highest precedence first. */
export const AGENT_SCOPES = ['project', 'user', 'builtin'] as const;

/** A loaded agent: frontmatter, the prompt body, and its origin. */
export const agentSchema = agentFrontmatterSchema.extend({
  prompt: z.string(),
  source: z.object({ scope: z.enum(AGENT_SCOPES), path: z.string() }),
});

export type AgentFrontmatter = z.output<typeof agentFrontmatterSchema>;
/** A loaded agent definition: its frontmatter, its prompt and the file it came from. */
export type AgentDefinition = z.output<typeof agentSchema>;
export type AgentScope = (typeof AGENT_SCOPES)[number];
