import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectLogin, seedConfigDir } from './claude-login.js';
import { renderDoctor, runDoctor } from './doctor.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'orchestra-login-'));
  dirs.push(d);
  return d;
};
const SECRET = 'sk-ant-oat01-SECRET-never-printed';
const credentials = (expiresAt: number, token = SECRET) =>
  JSON.stringify({
    claudeAiOauth: {
      accessToken: token,
      refreshToken: 'sk-ant-ort01-REFRESH',
      expiresAt,
      scopes: ['user:inference'],
      subscriptionType: 'max',
    },
  });

describe('the login Claude Code will use', () => {
  it('prefers Bedrock, Vertex, the auth token and the API key, then the subscription login', () => {
    const home = temp();
    mkdirSync(join(home, '.claude'));
    writeFileSync(join(home, '.claude', '.credentials.json'), credentials(2_000));
    const env = { HOME: home };
    expect(detectLogin({ ...env, CLAUDE_CODE_USE_BEDROCK: '1', ANTHROPIC_API_KEY: 'k' }).kind).toBe(
      'bedrock',
    );
    expect(detectLogin({ ...env, CLAUDE_CODE_USE_VERTEX: 'true' }).kind).toBe('vertex');
    expect(detectLogin({ ...env, ANTHROPIC_AUTH_TOKEN: 't', ANTHROPIC_API_KEY: 'k' }).kind).toBe(
      'auth-token',
    );
    expect(detectLogin({ ...env, ANTHROPIC_API_KEY: 'k' })).toEqual({
      kind: 'api-key',
      source: 'ANTHROPIC_API_KEY',
    });
    expect(detectLogin(env, { now: () => 1_000 })).toEqual({
      kind: 'subscription',
      source: join(home, '.claude', '.credentials.json'),
      subscriptionType: 'max',
      expired: false,
    });
    // $CLAUDE_CONFIG_DIR wins over ~/.claude.
    const other = temp();
    expect(detectLogin({ ...env, CLAUDE_CONFIG_DIR: other }).kind).toBe('none');
    expect(detectLogin({ HOME: temp() }).fix).toMatch(/log in with `claude`/);
  });

  it('copies the login into a private config dir and writes a refreshed token back', () => {
    const user = temp();
    const priv = temp();
    writeFileSync(join(user, '.credentials.json'), credentials(1_000));
    const done = seedConfigDir(priv, { CLAUDE_CONFIG_DIR: user });
    expect(readFileSync(join(priv, '.credentials.json'), 'utf8')).toBe(credentials(1_000));
    expect(statSync(join(priv, '.credentials.json')).mode & 0o777).toBe(0o600);
    writeFileSync(join(priv, '.credentials.json'), credentials(5_000, 'sk-ant-oat01-NEW'));
    done();
    expect(readFileSync(join(user, '.credentials.json'), 'utf8')).toBe(
      credentials(5_000, 'sk-ant-oat01-NEW'),
    );
    // Nothing to copy without a login; an unchanged copy is not written back.
    const empty = temp();
    seedConfigDir(empty, { CLAUDE_CONFIG_DIR: temp() })();
    expect(() => statSync(join(empty, '.credentials.json'))).toThrow();
  });
});

describe('orchestra doctor', () => {
  it('names the login kind and where it comes from, never the secret, and what to fix', async () => {
    const user = temp();
    writeFileSync(join(user, '.credentials.json'), credentials(Date.now() + 3_600_000));
    const r = await runDoctor({
      env: { CLAUDE_CONFIG_DIR: user, PATH: '' },
      claudePath: '/x/claude',
      version: async () => '2.1.331 (Claude Code)\n',
      sandbox: () => ({ ok: false, detail: 'bubblewrap (bwrap) not found on PATH' }),
    });
    expect(r.ok).toBe(true);
    expect(r.login.kind).toBe('subscription');
    expect(r.claudeCode.version).toBe('2.1.331 (Claude Code)');
    expect(r.fixes).toHaveLength(1);
    const text = renderDoctor(r);
    expect(text).toContain('Claude subscription (logged in with `claude`), max');
    expect(text).toContain('sandbox:      cannot start');
    expect(`${text}${JSON.stringify(r)}`).not.toContain('SECRET');
    const none = await runDoctor({
      env: { CLAUDE_CONFIG_DIR: temp() },
      claudePath: '/x/claude',
      version: async () => {
        throw new Error('spawn ENOENT');
      },
      sandbox: () => ({ ok: true, detail: 'bwrap' }),
    });
    expect(none.ok).toBe(false);
    expect(none.fixes.join('\n')).toMatch(/log in with `claude`[\s\S]*does not run \(spawn ENOENT\)/);
  });
});
