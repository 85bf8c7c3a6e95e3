/** How bad a problem is: errors make `orchestra agents lint` exit 2, warnings do not. */
export type AgentProblemSeverity = 'error' | 'warning';

/** Stable codes of agent-file problems, for tools that read `--json`. */
export type AgentProblemCode =
  | 'unreadable'
  | 'no-frontmatter'
  | 'unterminated-frontmatter'
  | 'invalid-yaml'
  | 'not-a-mapping'
  | 'missing-name'
  | 'invalid-name'
  | 'missing-description'
  | 'unknown-tool'
  | 'unknown-model'
  | 'unknown-permission-mode'
  | 'invalid-field'
  | 'unknown-key'
  | 'duplicate-name'
  | 'empty-prompt'
  | 'formatter-rewrite';

/** One problem in one agent file: where (file, 1-based line), how bad, and why. */
export interface AgentProblem {
  file: string;
  line: number;
  severity: AgentProblemSeverity;
  code: AgentProblemCode;
  message: string;
}

/** True when any problem is an error. */
export function hasAgentErrors(problems: readonly AgentProblem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
