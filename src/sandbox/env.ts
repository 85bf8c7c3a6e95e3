/**
 * The environment every agent and command gets: an allowlist, never the user's whole environment.
 * Tokens and cloud keys of the user's shell stay out unless `env.passThrough` names them.
 */

/** Variables any tool needs: the search path, locale, terminal, time zone. */
const BASIC = [
  'PATH',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  'NO_COLOR',
  'FORCE_COLOR',
  'COLUMNS',
  'USER',
  'LOGNAME',
];
const BASIC_PREFIXES = ['LC_'];

/** How Claude Code reaches the model (API, proxy, Bedrock, Vertex): the agent process needs these. */
export const MODEL_CONNECTION_VARS = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_CUSTOM_HEADERS',
  'ANTHROPIC_MODEL',
  'ANTHROPIC_SMALL_FAST_MODEL',
  'ANTHROPIC_DEFAULT_SONNET_MODEL',
  'ANTHROPIC_DEFAULT_OPUS_MODEL',
  'ANTHROPIC_DEFAULT_HAIKU_MODEL',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC',
  'CLAUDE_CODE_MAX_RETRIES',
  'CLAUDE_CODE_MAX_OUTPUT_TOKENS',
  'API_TIMEOUT_MS',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
] as const;

/** Selected only when `CLAUDE_CODE_USE_BEDROCK` is set: Bedrock needs the AWS credentials. */
const BEDROCK_VARS = [
  'CLAUDE_CODE_USE_BEDROCK',
  'ANTHROPIC_BEDROCK_BASE_URL',
  'CLAUDE_CODE_SKIP_BEDROCK_AUTH',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_BEARER_TOKEN_BEDROCK',
];
/** Selected only when `CLAUDE_CODE_USE_VERTEX` is set. */
const VERTEX_VARS = [
  'CLAUDE_CODE_USE_VERTEX',
  'ANTHROPIC_VERTEX_PROJECT_ID',
  'ANTHROPIC_VERTEX_BASE_URL',
  'CLOUD_ML_REGION',
  'CLAUDE_CODE_SKIP_VERTEX_AUTH',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GOOGLE_CLOUD_PROJECT',
];

/** Credentials the model connection carries: an agent's commands (Bash, criteria) never get these. */
export const MODEL_CREDENTIAL_VARS = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_CUSTOM_HEADERS',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_BEARER_TOKEN_BEDROCK',
  'GOOGLE_APPLICATION_CREDENTIALS',
] as const;

/** Package managers' settings (registries, caches, toolchain homes); never their auth tokens. */
const PACKAGE_MANAGER_VARS = [
  'npm_config_registry',
  'NPM_CONFIG_REGISTRY',
  'npm_config_cache',
  'NPM_CONFIG_CACHE',
  'YARN_CACHE_FOLDER',
  'PNPM_HOME',
  'PNPM_STORE_DIR',
  'COREPACK_HOME',
  'PIP_INDEX_URL',
  'PIP_CACHE_DIR',
  'UV_CACHE_DIR',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'GOPATH',
  'GOCACHE',
  'GOMODCACHE',
  'GOPROXY',
  'GOFLAGS',
  'JAVA_HOME',
  'NVM_DIR',
  'VOLTA_HOME',
];

/** What `agentEnv` needs besides the user's environment. */
export interface AgentEnvSettings {
  /** Names the user's config adds (`env.passThrough`): passed as they are. */
  passThrough?: readonly string[];
  /** The private home of this process (tools that need a HOME write there, not in the user's). */
  home: string;
  /** Forced values (CLAUDE_CONFIG_DIR, TMPDIR, …), applied last. */
  set?: Readonly<Record<string, string>>;
}

/** Whether the allowlist lets a variable of the user's environment through. */
export function isAllowedVar(
  name: string,
  base: Readonly<Record<string, string | undefined>>,
  passThrough: readonly string[] = [],
): boolean {
  if (BASIC.includes(name) || BASIC_PREFIXES.some((p) => name.startsWith(p))) return true;
  if ((MODEL_CONNECTION_VARS as readonly string[]).includes(name)) return true;
  if (PACKAGE_MANAGER_VARS.includes(name)) return true;
  if (truthy(base.CLAUDE_CODE_USE_BEDROCK) && BEDROCK_VARS.includes(name)) return true;
  if (truthy(base.CLAUDE_CODE_USE_VERTEX) && VERTEX_VARS.includes(name)) return true;
  return passThrough.includes(name);
}

/**
 * The environment of an agent process: the allowlisted part of `base`, a private HOME, then `set`.
 * The one place that decides which of the user's variables reach an agent.
 */
export function agentEnv(
  base: Readonly<Record<string, string | undefined>>,
  settings: AgentEnvSettings,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v !== undefined && isAllowedVar(k, base, settings.passThrough)) env[k] = v;
  }
  env.HOME = settings.home;
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  return { ...env, ...settings.set };
}

/** The environment of a command an agent or a plan runs: `agentEnv` without the model's credentials. */
export function commandEnv(
  base: Readonly<Record<string, string | undefined>>,
  settings: AgentEnvSettings,
): Record<string, string> {
  const env = agentEnv(base, settings);
  for (const k of MODEL_CREDENTIAL_VARS) {
    if (!settings.passThrough?.includes(k)) delete env[k];
  }
  return env;
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}
