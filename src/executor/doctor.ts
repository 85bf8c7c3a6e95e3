import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { detectLogin, type LoginInfo } from './claude-login.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Whether Orchestra's sandbox can start here (a small check the sandbox module may replace). */
export interface SandboxCheck {
  ok: boolean;
  detail: string;
}

/** What `orchestra doctor` finds: never a secret, only where things come from. */
export interface DoctorReport {
  login: LoginInfo;
  claudeCode: { path: string | null; version: string | null; error?: string };
  sandbox: SandboxCheck;
  /** What to fix, most important first; empty when everything is ready. */
  fixes: string[];
  /** False when a run cannot start (no login, no runnable Claude Code). */
  ok: boolean;
}

/** Settings of `runDoctor`; what touches the world is injectable. */
export interface DoctorSettings {
  env: Env;
  homeDir?: string;
  /** The Claude Code binary (default: the one bundled with the Agent SDK). */
  claudePath?: string;
  /** Runs `<binary> --version` (default: execFile with a timeout). */
  version?: (binary: string) => Promise<string>;
  /** The sandbox check (default: `checkSandbox`). */
  sandbox?: (env: Env) => SandboxCheck;
}

/** The Claude Code binary the Agent SDK bundles for this platform, or null. */
export function bundledClaudePath(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve(
      `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}/package.json`,
    );
    const bin = path.join(path.dirname(pkg), process.platform === 'win32' ? 'claude.exe' : 'claude');
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** The first executable `name` on `PATH`, or null. */
export function onPath(name: string, env: Env): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Linux: bubblewrap on PATH. A presence check only; the sandbox module knows more. */
export function checkSandbox(env: Env): SandboxCheck {
  if (process.platform === 'darwin')
    return existsSync('/usr/bin/sandbox-exec')
      ? { ok: true, detail: 'sandbox-exec (macOS Seatbelt)' }
      : { ok: false, detail: 'sandbox-exec not found' };
  const bwrap = onPath('bwrap', env);
  return bwrap
    ? { ok: true, detail: `bubblewrap at ${bwrap}` }
    : { ok: false, detail: 'bubblewrap (bwrap) not found on PATH' };
}

const defaultVersion = (binary: string) =>
  new Promise<string>((resolve, reject) => {
    execFile(binary, ['--version'], { timeout: 15_000, env: { PATH: process.env.PATH ?? '' } }, (err, out) =>
      err ? reject(err) : resolve(out.trim()),
    );
  });

/** Which login a run will use, whether the sandbox can start, Claude Code's version, and what to fix. */
export async function runDoctor(s: DoctorSettings): Promise<DoctorReport> {
  const login = detectLogin(s.env, s.homeDir === undefined ? {} : { homeDir: s.homeDir });
  const fixes: string[] = [];
  let ok = true;
  if (login.kind === 'none') {
    ok = false;
    fixes.push(login.fix ?? 'log in with `claude`');
  }
  const binary = s.claudePath ?? bundledClaudePath();
  const claudeCode: DoctorReport['claudeCode'] = { path: binary, version: null };
  if (binary === null) {
    ok = false;
    fixes.push(
      'the Claude Code binary of the Agent SDK is missing: reinstall with optional dependencies (npm install --include=optional)',
    );
  } else {
    try {
      claudeCode.version = (await (s.version ?? defaultVersion)(binary)).split('\n')[0] ?? null;
    } catch (e) {
      ok = false;
      claudeCode.error = e instanceof Error ? (e.message.split('\n')[0] ?? 'failed') : String(e);
      fixes.push(`Claude Code at ${binary} does not run (${claudeCode.error})`);
    }
  }
  const sandbox = (s.sandbox ?? checkSandbox)(s.env);
  if (!sandbox.ok)
    fixes.push(
      process.platform === 'linux'
        ? `install bubblewrap (e.g. apt-get install bubblewrap): ${sandbox.detail}`
        : `no OS sandbox: ${sandbox.detail}`,
    );
  return { login, claudeCode, sandbox, fixes, ok };
}

const LOGIN_LABEL: Record<LoginInfo['kind'], string> = {
  bedrock: 'Amazon Bedrock',
  vertex: 'Google Vertex AI',
  'auth-token': 'bearer token (ANTHROPIC_AUTH_TOKEN)',
  'api-key': 'API key (ANTHROPIC_API_KEY)',
  subscription: 'Claude subscription (logged in with `claude`)',
  none: 'none',
};

/** The report as plain lines for a terminal. */
export function renderDoctor(r: DoctorReport): string {
  const login =
    r.login.kind === 'subscription'
      ? `${LOGIN_LABEL.subscription}${r.login.subscriptionType ? `, ${r.login.subscriptionType}` : ''} from ${r.login.source}${r.login.expired ? ' (access token expired; Claude Code refreshes it)' : ''}`
      : r.login.kind === 'none'
        ? 'none found'
        : `${LOGIN_LABEL[r.login.kind]} from ${r.login.source}`;
  const lines = [
    `login:        ${login}`,
    `claude code:  ${r.claudeCode.version ?? `not runnable${r.claudeCode.error ? ` (${r.claudeCode.error})` : ''}`}${r.claudeCode.path ? ` at ${r.claudeCode.path}` : ''}`,
    `sandbox:      ${r.sandbox.ok ? 'can start' : 'cannot start'}: ${r.sandbox.detail}`,
    'specialists:  no user or project settings, hooks or plugins; a private config dir each',
  ];
  if (r.fixes.length) lines.push('', 'to fix:', ...r.fixes.map((f) => `- ${f}`));
  else lines.push('', 'ready to run.');
  return `${lines.join('\n')}\n`;
}
