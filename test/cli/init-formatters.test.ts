import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runOrchestra } from '../support/cli.js';

// The user's own format checks after `orchestra init`, run with the real tools (dev dependencies)
// and their default settings.

const BIN = fileURLToPath(new URL('../../node_modules/.bin/', import.meta.url));
const CHECKS = {
  prettier: ['prettier', '--check', '.'],
  oxfmt: ['oxfmt', '--check', '.'],
  markdownlint: ['markdownlint-cli2', '.claude/agents/*.md'],
  biome: ['biome', 'check', '.'],
} as const;

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function initProject(files: Record<string, string>): string {
  const base = mkdtempSync(join(tmpdir(), 'orchestra-init-fmt-'));
  dirs.push(base);
  const repo = join(base, 'repo');
  mkdirSync(repo);
  mkdirSync(join(base, 'home'));
  execFileSync('git', ['init', '-q'], { cwd: repo });
  for (const [f, t] of Object.entries(files)) writeFileSync(join(repo, f), t);
  const r = runOrchestra(['init'], { cwd: repo, env: { HOME: join(base, 'home'), CLAUDE_CONFIG_DIR: '' } });
  expect(r.code, r.stderr).toBe(0);
  return repo;
}

function check(repo: string, tool: keyof typeof CHECKS) {
  const [bin, ...args] = CHECKS[tool];
  const r = spawnSync(join(BIN, bin), args, {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('orchestra init leaves the formatters green', () => {
  it('a project checked with Prettier, oxfmt and markdownlint: all pass, and agents lint is quiet', () => {
    const repo = initProject({});
    for (const tool of ['prettier', 'oxfmt', 'markdownlint'] as const) {
      const r = check(repo, tool);
      expect(r.code, `${tool}: ${r.out}`).toBe(0);
    }
    const lint = runOrchestra(['agents', 'lint'], { cwd: repo });
    expect(lint.stdout).not.toContain('formatter-rewrite');
  }, 120_000);

  it('a Biome project: Biome and markdownlint pass', () => {
    const repo = initProject({ 'biome.json': '{}\n' });
    for (const tool of ['biome', 'markdownlint'] as const) {
      const r = check(repo, tool);
      expect(r.code, `${tool}: ${r.out}`).toBe(0);
    }
  }, 120_000);

  it('the same files fail each formatter when written the other way, and agents lint says so', () => {
    // Biome inserts the blank line Prettier and oxfmt remove: proof that the checks can fail.
    const prettierStyle = initProject({});
    expect(check(prettierStyle, 'biome').code).not.toBe(0);
    const biomeStyle = initProject({ 'biome.json': '{}\n' });
    expect(check(biomeStyle, 'prettier').code).not.toBe(0);
    writeFileSync(join(biomeStyle, 'biome.json'), '{}\n');
    writeFileSync(join(biomeStyle, '.prettierrc'), '{}\n');
    const lint = runOrchestra(['agents', 'lint', '--json'], { cwd: biomeStyle });
    expect(lint.stdout).toContain('blank line after the opening \\"---\\": Prettier and oxfmt remove it');
  }, 120_000);
});
