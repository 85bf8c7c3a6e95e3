import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { platformStateDir, repoStateName, resolveStateDir, runWorktreesDir } from './state-dir.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const repo = () => {
  const d = mkdtempSync(join(tmpdir(), 'orchestra-statedir-'));
  dirs.push(d);
  return d;
};

describe('state directory', () => {
  it('follows each platform: XDG (absolute only) on Linux, Application Support on macOS, LOCALAPPDATA on Windows', () => {
    const home = '/home/u';
    expect(platformStateDir({ env: {}, platform: 'linux', homedir: home })).toBe(
      '/home/u/.local/state/orchestra',
    );
    expect(platformStateDir({ env: { XDG_STATE_HOME: '/x/state' }, platform: 'linux', homedir: home })).toBe(
      '/x/state/orchestra',
    );
    expect(platformStateDir({ env: { XDG_STATE_HOME: 'relative' }, platform: 'linux', homedir: home })).toBe(
      '/home/u/.local/state/orchestra',
    );
    expect(platformStateDir({ env: {}, platform: 'darwin', homedir: home })).toBe(
      '/home/u/Library/Application Support/orchestra',
    );
    expect(platformStateDir({ env: { LOCALAPPDATA: '/c/Local' }, platform: 'win32', homedir: home })).toBe(
      '/c/Local/orchestra',
    );
  });

  it('ORCHESTRA_STATE_DIR wins over stateDir in the config, which wins over the platform default', () => {
    const root = repo();
    writeFileSync(join(root, 'orchestra.config.json'), JSON.stringify({ stateDir: '../state-from-config' }));
    const env = { HOME: '/home/u' };
    expect(resolveStateDir({ root, env, platform: 'linux' })).toBe(join(root, '..', 'state-from-config'));
    expect(resolveStateDir({ root, env: { ...env, ORCHESTRA_STATE_DIR: '/s' }, platform: 'linux' })).toBe(
      '/s',
    );
    expect(resolveStateDir({ root, env, platform: 'linux', configured: undefined })).toBe(
      '/home/u/.local/state/orchestra',
    );
  });

  it('refuses a state directory inside the repository, saying which setting put it there', () => {
    const root = repo();
    mkdirSync(join(root, 'sub'));
    expect(() => resolveStateDir({ root, env: { ORCHESTRA_STATE_DIR: join(root, 'sub') } })).toThrow(
      /inside the repository.*ORCHESTRA_STATE_DIR/,
    );
    expect(() => resolveStateDir({ root, env: {}, configured: '.state' })).toThrow(
      /"stateDir" in orchestra.config.json/,
    );
  });

  it('names a run directory by repository and run; two checkouts of the same name never share one', () => {
    expect(repoStateName('/a/app')).toMatch(/^app-[0-9a-f]{10}$/);
    expect(repoStateName('/a/app')).not.toBe(repoStateName('/b/app'));
    expect(
      runWorktreesDir({
        root: '/a/app',
        runId: 'r1',
        env: { ORCHESTRA_STATE_DIR: '/s' },
        configured: undefined,
      }),
    ).toBe(`/s/worktrees/${repoStateName('/a/app')}/r1`);
  });
});
