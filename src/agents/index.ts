export { type AgentFileResult, isKnownModel, parseAgentFile } from './agent-file.js';
export { listMarkdownFiles } from './files.js';
export { type ParsedFrontmatter, parseFrontmatter, type SplitFile, splitFrontmatter } from './frontmatter.js';
export {
  type InitFileReport,
  type InitProjectOptions,
  type InitReport,
  initProject,
} from './init-project.js';
export { type AgentLintReport, lintAgentDir, lintProject } from './lint.js';
export {
  type AgentDir,
  agentDirs,
  findAgent,
  type LoadAgentsOptions,
  type LoadedAgents,
  loadAgents,
  readAgentDir,
  readAgentFile,
  type ShadowedAgent,
} from './load.js';
export {
  type AgentProblem,
  type AgentProblemCode,
  type AgentProblemSeverity,
  hasAgentErrors,
} from './problem.js';
export {
  type AgentPathStyle,
  agentDisplayPath,
  formatAgentProblems,
  formatAgentTable,
  formatLintSummary,
  formatShadowed,
} from './render.js';
export { closest, didYouMean, editDistance } from './suggest.js';
export { BUILTIN_AGENT_NAMES, BUILTIN_AGENTS_DIR } from './templates.js';
export { CLAUDE_CODE_TOOLS, checkToolRule, type ToolRuleCheck } from './tool-names.js';
