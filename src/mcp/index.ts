export { ORCHESTRA_CLI, type RunStartArgs, type RunStartSettings, runArgv, runStart } from './run-start.js';
export {
  createOrchestraMcpServer,
  MCP_SERVER_NAME,
  MCP_TOOL_NAMES,
  type OrchestraMcpSettings,
  serveStdio,
  toolError,
} from './server.js';
export type { McpContext, ToolResult } from './types.js';
