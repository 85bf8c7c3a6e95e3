import { chmodSync, copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseJson, parseWith } from '../domain/index.js';

/** How Claude Code will authenticate, in the order it prefers them. */
export type LoginKind = 'bedrock' | 'vertex' | 'auth-token' | 'api-key' | 'subscription' | 'none';

/** The login a Claude Code process started with this environment will use; never the secret itself. */
export interface LoginInfo {
  kind: LoginKind;
  /** Where it comes from: an environment variable's name or the credentials file's path. */
  source: string | null;
  /** For a subscription: the plan (`max`, `pro` …) and whether the access token has expired. */
  subscriptionType?: string;
  expired?: boolean;
  /** What to do when there is no usable login. */
  fix?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const CREDENTIALS_FILE = '.credentials.json';

const credentialsSchema = z.looseObject({
  claudeAiOauth: z.looseObject({
    accessToken: z.string().min(1),
    expiresAt: z.number().optional(),
    subscriptionType: z.string().nullish(),
  }),
});

/** The user's Claude Code config directory: `$CLAUDE_CONFIG_DIR`, else `~/.claude`. */
export function userConfigDir(env: Env, homeDir?: string): string {
  const dir = env.CLAUDE_CONFIG_DIR;
  if (dir) return dir;
  return path.join(homeDir ?? env.HOME ?? homedir(), '.claude');
}

const truthy = (v: string | undefined) =>
  v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

function readCredentials(file: string) {
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const json = parseJson(text);
  if (!json.success) return undefined;
  const parsed = parseWith(credentialsSchema, json.value);
  return parsed.success ? parsed.value : undefined;
}

/**
 * The login Claude Code will use with this environment: Bedrock or Vertex when enabled, then
 * `ANTHROPIC_AUTH_TOKEN`, `ANTHROPIC_API_KEY`, then the subscription login `claude` stored in the
 * user's config directory (`.credentials.json`; on macOS it may live in the Keychain instead,
 * which Orchestra cannot see).
 */
export function detectLogin(env: Env, options: { homeDir?: string; now?: () => number } = {}): LoginInfo {
  if (truthy(env.CLAUDE_CODE_USE_BEDROCK)) return { kind: 'bedrock', source: 'CLAUDE_CODE_USE_BEDROCK' };
  if (truthy(env.CLAUDE_CODE_USE_VERTEX)) return { kind: 'vertex', source: 'CLAUDE_CODE_USE_VERTEX' };
  if (env.ANTHROPIC_AUTH_TOKEN) return { kind: 'auth-token', source: 'ANTHROPIC_AUTH_TOKEN' };
  if (env.ANTHROPIC_API_KEY) return { kind: 'api-key', source: 'ANTHROPIC_API_KEY' };
  const file = path.join(userConfigDir(env, options.homeDir), CREDENTIALS_FILE);
  const creds = readCredentials(file);
  if (creds) {
    const { expiresAt, subscriptionType } = creds.claudeAiOauth;
    const now = (options.now ?? Date.now)();
    return {
      kind: 'subscription',
      source: file,
      ...(subscriptionType ? { subscriptionType } : {}),
      // An expired access token is refreshed by Claude Code itself with the refresh token.
      ...(expiresAt === undefined ? {} : { expired: expiresAt <= now }),
    };
  }
  return {
    kind: 'none',
    source: null,
    fix: 'log in with `claude` (then /login), or set ANTHROPIC_API_KEY; Bedrock and Vertex work with their usual variables',
  };
}

/**
 * Give a private config directory the user's subscription login, so a specialist that loads no
 * user settings still runs as the user. Returns what to call when the process is done: a token
 * Claude Code refreshed in the private copy is written back, so the user's stored login stays
 * valid (a refresh rotates the refresh token).
 */
export function seedConfigDir(privateDir: string, userEnv: Env, homeDir?: string): () => void {
  const source = path.join(userConfigDir(userEnv, homeDir), CREDENTIALS_FILE);
  const target = path.join(privateDir, CREDENTIALS_FILE);
  if (path.resolve(source) === path.resolve(target) || !readCredentials(source)) return () => {};
  copyFileSync(source, target);
  chmodSync(target, 0o600);
  const copied = readFileSync(target, 'utf8');
  return () => {
    try {
      if (!existsSync(target)) return;
      const now = readFileSync(target, 'utf8');
      if (now === copied) return;
      const refreshed = readCredentials(target);
      const current = readCredentials(source);
      if (!refreshed) return;
      const newer =
        (refreshed.claudeAiOauth.expiresAt ?? 0) >
        (current?.claudeAiOauth.expiresAt ?? Number.NEGATIVE_INFINITY);
      if (!newer) return;
      const tmp = `${source}.orchestra-${process.pid}`;
      writeFileSync(tmp, now, { mode: 0o600 });
      renameSync(tmp, source);
    } catch {
      // The user's login is left as it was; the next `claude` run refreshes it again.
    }
  };
}
