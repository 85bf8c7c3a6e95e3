import { fileURLToPath } from 'node:url';

/**
 * The package's built-in agent templates (`templates/agents/*.md`). Resolved from this module's
 * URL: `src/agents/` under tsx/vitest and `dist/agents/` when built are both two levels below the
 * package root, where `templates/` is shipped.
 */
export const BUILTIN_AGENTS_DIR = fileURLToPath(new URL('../../templates/agents/', import.meta.url));

/** Names of the built-in templates, in the order `orchestra init` reports them. */
export const BUILTIN_AGENT_NAMES = [
  'orchestrator',
  'backend-specialist',
  'frontend-specialist',
  'database-specialist',
  'types-specialist',
  'test-specialist',
  'integration-validator',
  'performance-specialist',
] as const;
