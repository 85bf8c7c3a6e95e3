/** Where the MCP server works: the session's directory, environment and home. */
export interface McpContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  homeDir: string;
}

/** What a tool answers: structured content (checked against its output schema) and a text for the model. */
export interface ToolResult {
  structured: Record<string, unknown>;
  text: string;
}
