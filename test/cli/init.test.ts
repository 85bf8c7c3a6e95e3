import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOrchestra } from '../support/cli.js';

const AGENTS = [
  'orchestrator',
  'backend-specialist',
  'frontend-specialist',
  'database-specialist',
  'types-specialist',
  'test-specialist',
  'integration-validator',
  'performance-specialist',
];

let base: string;
let repo: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'orchestra-cli-init-'));
  repo = join(base, 'repo');
  mkdirSync(join(base, 'home'));
  mkdirSync(repo);
  execFileSync('git', ['init', '-q'], { cwd: repo });
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const run = (args: string[], cwd = repo) =>
  runOrchestra(args, { cwd, env: { HOME: join(base, 'home'), CLAUDE_CONFIG_DIR: '' } });

/** Every file under the repository (but .git) with its content and mtime. */
function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out[p.slice(repo.length + 1)] = `${statSync(p).mtimeMs} ${readFileSync(p, 'utf8')}`;
    }
  };
  walk(repo);
  return out;
}

describe('orchestra init', () => {
  it('in an empty git repo creates the agents, .gitignore and config; lint passes on them', () => {
    const r = run(['init']);
    expect(r.code, r.stderr).toBe(0);
    for (const a of AGENTS) {
      expect(r.stdout).toMatch(new RegExp(`^created\\s+\\.claude/agents/${a}\\.md$`, 'm'));
      expect(readFileSync(join(repo, '.claude', 'agents', `${a}.md`), 'utf8')).toMatch(
        new RegExp(`^---\\n+name: ${a}\\n`),
      );
    }
    expect(r.stdout).toMatch(/^created\s+\.gitignore$/m);
    expect(r.stdout).toMatch(/^created\s+orchestra\.config\.json$/m);
    expect(readFileSync(join(repo, '.gitignore'), 'utf8')).toBe('.orchestra/\n');
    expect(JSON.parse(readFileSync(join(repo, 'orchestra.config.json'), 'utf8'))).toMatchObject({
      maxParallel: 4,
    });

    const lint = run(['agents', 'lint']);
    expect(lint.code, lint.stdout).toBe(0);
    expect(lint.stdout).toContain('0 errors, 0 warnings in 8 agent files');
    const list = JSON.parse(run(['agents', 'list', '--json']).stdout) as {
      agents: { source: { scope: string } }[];
    };
    expect(list.agents.filter((a) => a.source.scope === 'project')).toHaveLength(8);
  });

  it('a second init changes nothing', () => {
    expect(run(['init']).code).toBe(0);
    const before = snapshot();
    const r = run(['init', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { files: { status: string }[] };
    expect(report.files).toHaveLength(10);
    expect(new Set(report.files.map((f) => f.status))).toEqual(new Set(['unchanged']));
    expect(snapshot()).toEqual(before);
  });

  it("keeps a user's modified agent without --force, overwrites it with --force", () => {
    run(['init']);
    const mine = join(repo, '.claude', 'agents', 'backend-specialist.md');
    writeFileSync(mine, '---\nname: backend-specialist\ndescription: mine\n---\nMy prompt.\n');
    const kept = run(['init']);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/^kept\s+\.claude\/agents\/backend-specialist\.md$/m);
    expect(kept.stderr).toContain('use --force to overwrite');
    expect(readFileSync(mine, 'utf8')).toContain('My prompt.');

    const forced = run(['init', '--force']);
    expect(forced.stdout).toMatch(/^overwritten\s+\.claude\/agents\/backend-specialist\.md$/m);
    expect(forced.stdout).toMatch(/^unchanged\s+\.claude\/agents\/orchestrator\.md$/m);
    expect(readFileSync(mine, 'utf8')).not.toContain('My prompt.');
  });

  it('adds .orchestra/ to an existing .gitignore once, and never touches an existing config', () => {
    writeFileSync(join(repo, '.gitignore'), 'node_modules');
    writeFileSync(join(repo, 'orchestra.config.json'), '{"maxParallel": 2}\n');
    const r = run(['init']);
    expect(r.stdout).toMatch(/^updated\s+\.gitignore$/m);
    expect(r.stdout).toMatch(/^kept\s+orchestra\.config\.json$/m);
    run(['init']);
    expect(readFileSync(join(repo, '.gitignore'), 'utf8')).toBe('node_modules\n.orchestra/\n');
    expect(readFileSync(join(repo, 'orchestra.config.json'), 'utf8')).toBe('{"maxParallel": 2}\n');
  });

  it('from a subdirectory writes at the repository root', () => {
    mkdirSync(join(repo, 'src', 'deep'), { recursive: true });
    const r = run(['init'], join(repo, 'src', 'deep'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^created\s+\.\.\/\.\.\/\.claude\/agents\/orchestrator\.md$/m);
    expect(statSync(join(repo, '.claude', 'agents', 'orchestrator.md')).isFile()).toBe(true);
  });

  it('works in a directory that is not a git repository', () => {
    const plain = join(base, 'plain');
    mkdirSync(plain);
    const r = run(['init'], plain);
    expect(r.code).toBe(0);
    expect(statSync(join(plain, '.claude', 'agents', 'test-specialist.md')).isFile()).toBe(true);
  });
});
