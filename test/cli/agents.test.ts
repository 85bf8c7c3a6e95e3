import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOrchestra } from '../support/cli.js';

let base: string;
let home: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'orchestra-cli-agents-'));
  home = join(base, 'home');
  mkdirSync(home);
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const run = (args: string[], cwd: string) =>
  runOrchestra(args, { cwd, env: { HOME: home, CLAUDE_CONFIG_DIR: '' } });

function write(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

function gitRepo(name: string): string {
  const dir = join(base, name);
  mkdirSync(dir);
  execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}

/** One file per kind of problem; `line` is where the report must point. */
const BROKEN: Record<string, { text: string; line: number; code: string; reason: RegExp }> = {
  'missing-name.md': {
    text: '---\ndescription: d\n---\nbody\n',
    line: 1,
    code: 'missing-name',
    reason: /missing name/,
  },
  'bad-name.md': {
    text: '---\nname: Bad_Name\ndescription: d\n---\nbody\n',
    line: 2,
    code: 'invalid-name',
    reason: /invalid name "Bad_Name"/,
  },
  'missing-description.md': {
    text: '---\nname: no-description\n---\nbody\n',
    line: 1,
    code: 'missing-description',
    reason: /missing description/,
  },
  'invalid-yaml.md': {
    text: '---\nname: yaml-broken\ndescription: d\ntools: [Read, Grep\n---\nbody\n',
    line: 4,
    code: 'invalid-yaml',
    reason: /invalid YAML/,
  },
  'no-frontmatter.md': {
    text: '# Notes\nJust text.\n',
    line: 1,
    code: 'no-frontmatter',
    reason: /no frontmatter/,
  },
  'unknown-tool.md': {
    text: '---\nname: tool-typo\ndescription: d\ntools: Read, Grpe\n---\nbody\n',
    line: 4,
    code: 'unknown-tool',
    reason: /unknown tool "Grpe" \(did you mean "Grep"\?\)/,
  },
  'a-duplicate.md': {
    text: '---\ndescription: second\nname: tool-typo\n---\nbody\n',
    line: 3,
    code: 'duplicate-name',
    reason: /duplicate name "tool-typo": unknown-tool\.md .* wins/,
  },
  'unknown-model.md': {
    text: '---\nname: model-typo\ndescription: d\nmodel: sonet\n---\nbody\n',
    line: 4,
    code: 'unknown-model',
    reason: /unknown model "sonet" \(did you mean "sonnet"\?\)/,
  },
  'unknown-mode.md': {
    text: '---\nname: mode-typo\ndescription: d\npermissionMode: acceptedits\n---\nbody\n',
    line: 4,
    code: 'unknown-permission-mode',
    reason: /unknown permission mode "acceptedits" \(did you mean "acceptEdits"\?\)/,
  },
  'bad-max-turns.md': {
    text: '---\nname: turns\ndescription: d\nmaxTurns: 0\n---\nbody\n',
    line: 4,
    code: 'invalid-field',
    reason: /maxTurns must be a positive integer, not 0/,
  },
};

describe('orchestra agents lint', () => {
  it('reports each broken file with file, line and reason, and exits 2', () => {
    const dir = join(base, 'broken');
    write(dir, Object.fromEntries(Object.entries(BROKEN).map(([f, b]) => [f, b.text])));
    write(dir, { 'fine.md': '---\nname: fine\ndescription: d\nextra: 1\n---\nbody\n' });
    const r = run(['agents', 'lint', 'broken'], base);
    expect(r.code, r.stderr).toBe(2);
    for (const [file, b] of Object.entries(BROKEN)) {
      const line = r.stdout.split('\n').find((l) => l.startsWith(`broken/${file}:`));
      expect(line, `${file} reported`).toBeDefined();
      expect(line).toMatch(new RegExp(`^broken/${file.replace('.', '\\.')}:${b.line}: error: `));
      expect(line).toMatch(b.reason);
      expect(line).toContain(`[${b.code}]`);
    }
    expect(r.stdout).toMatch(/^broken\/fine\.md:4: warning: unknown key "extra"/m);
    expect(r.stdout).toMatch(/^10 errors, 1 warning in 11 agent files$/m);
  });

  it('--json gives the same problems as data', () => {
    const dir = join(base, 'broken');
    write(dir, Object.fromEntries(Object.entries(BROKEN).map(([f, b]) => [f, b.text])));
    const r = run(['agents', 'lint', dir, '--json'], base);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as {
      files: string[];
      problems: { file: string; line: number; severity: string; code: string; message: string }[];
      errors: number;
      warnings: number;
    };
    expect(report.files).toHaveLength(Object.keys(BROKEN).length);
    expect(report.errors).toBe(Object.keys(BROKEN).length);
    for (const [file, b] of Object.entries(BROKEN)) {
      const p = report.problems.find((x) => x.file === join(dir, file));
      expect(p, file).toMatchObject({ line: b.line, severity: 'error', code: b.code });
      expect(p?.message).toMatch(b.reason);
    }
  });

  it('exits 0 when there are only warnings, and lints .claude/agents when given a project root', () => {
    const repo = gitRepo('warn');
    write(join(repo, '.claude', 'agents'), {
      'a.md': '---\nname: a\ndescription: d\ncolour: red\n---\nbody\n',
    });
    write(repo, { 'README.md': '# not an agent\n' });
    const r = run(['agents', 'lint', '.'], repo);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain(
      '.claude/agents/a.md:4: warning: unknown key "colour" (did you mean "color"?)',
    );
    expect(r.stdout).toContain('0 errors, 1 warning in 1 agent file');
  });

  it('without a dir lints every project .claude/agents from cwd to the repo root, not the user scope', () => {
    const repo = gitRepo('project');
    write(join(repo, '.claude', 'agents'), { 'outer.md': '---\nname: outer\n---\nbody\n' });
    write(join(repo, 'pkg', '.claude', 'agents'), {
      'inner.md': '---\nname: inner\ndescription: d\nmodel: gpt\n---\nb\n',
    });
    write(join(home, '.claude', 'agents'), { 'user.md': 'no frontmatter' });
    const r = run(['agents', 'lint'], join(repo, 'pkg'));
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('.claude/agents/inner.md:4: error: unknown model "gpt"');
    expect(r.stdout).toContain('../.claude/agents/outer.md:1: error: missing description');
    expect(r.stdout).not.toContain('user.md');
  });

  it('a missing directory is bad input', () => {
    const r = run(['agents', 'lint', 'nope'], base);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope is not a directory/);
  });
});

describe('orchestra agents list', () => {
  it('lists name, scope, model, tools and description, and what is shadowed', () => {
    const repo = gitRepo('list');
    write(join(repo, '.claude', 'agents'), {
      'orchestrator.md':
        '---\nname: orchestrator\ndescription: My own planner\nmodel: opus\ntools: Read\n---\nPlan.\n',
    });
    write(join(home, '.claude', 'agents'), {
      'helper.md': `---\nname: helper\ndescription: ${'very long description '.repeat(10)}\n---\nHelp.\n`,
    });
    const r = run(['agents', 'list'], repo);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SCOPE\s+MODEL\s+TOOLS\s+DESCRIPTION$/);
    expect(lines.find((l) => l.startsWith('orchestrator '))).toMatch(
      /^orchestrator\s+project\s+opus\s+Read\s+My own planner$/,
    );
    const helper = lines.find((l) => l.startsWith('helper ')) ?? '';
    expect(helper).toMatch(/^helper\s+user\s+inherit\s+all\s+very long/);
    expect(helper.length).toBeLessThanOrEqual(100);
    expect(helper.endsWith('…')).toBe(true);
    expect(lines.find((l) => l.startsWith('backend-specialist '))).toMatch(/\sbuiltin\s/);
    expect(r.stdout).toContain(
      'orchestrator: [builtin] orchestrator.md ← [project] .claude/agents/orchestrator.md',
    );
  });

  it('--json gives the agents with their source, and the shadowed files', () => {
    const repo = gitRepo('json');
    write(join(repo, '.claude', 'agents'), {
      'x.md': '---\nname: test-specialist\ndescription: mine\n---\nT.\n',
    });
    const r = run(['agents', 'list', '--json'], repo);
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as {
      agents: { name: string; source: { scope: string; path: string } }[];
      shadowed: { name: string; scope: string; by: { scope: string } }[];
    };
    expect(data.agents.find((a) => a.name === 'test-specialist')?.source).toEqual({
      scope: 'project',
      path: join(repo, '.claude', 'agents', 'x.md'),
    });
    expect(data.shadowed).toEqual([
      expect.objectContaining({
        name: 'test-specialist',
        scope: 'builtin',
        by: expect.objectContaining({ scope: 'project' }),
      }),
    ]);
  });
});
