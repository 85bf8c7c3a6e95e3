import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentDirs, findAgent, loadAgents } from './load.js';
import { BUILTIN_AGENT_NAMES } from './templates.js';

let base: string;
let repo: string;
let home: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'orchestra-agents-'));
  repo = join(base, 'repo');
  home = join(base, 'home');
  mkdirSync(join(repo, '.git'), { recursive: true });
  mkdirSync(home);
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

function agent(path: string, name: string, description = `from ${path}`): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `---\nname: ${name}\ndescription: ${description}\n---\nPrompt of ${name}.\n`);
}
const projectAgents = (dir: string) => join(dir, '.claude', 'agents');

describe('agentDirs', () => {
  it('searches cwd up to the repository root, then home, then the built-ins', () => {
    const cwd = join(repo, 'pkg', 'sub');
    mkdirSync(cwd, { recursive: true });
    const dirs = agentDirs({ cwd, homeDir: home, builtinDir: '/builtin' });
    expect(dirs).toEqual([
      { scope: 'project', dir: projectAgents(cwd) },
      { scope: 'project', dir: projectAgents(join(repo, 'pkg')) },
      { scope: 'project', dir: projectAgents(repo) },
      { scope: 'user', dir: projectAgents(home) },
      { scope: 'builtin', dir: '/builtin' },
    ]);
  });

  it('CLAUDE_CONFIG_DIR moves the user scope, as in Claude Code', () => {
    const dirs = agentDirs({
      cwd: repo,
      homeDir: home,
      claudeConfigDir: join(base, 'cfg'),
      builtinDir: false,
    });
    expect(dirs.at(-1)).toEqual({ scope: 'user', dir: join(base, 'cfg', 'agents') });
  });

  it('outside a repository only cwd is a project directory', () => {
    const cwd = join(base, 'loose');
    mkdirSync(cwd);
    const dirs = agentDirs({ cwd, homeDir: home, builtinDir: false });
    expect(dirs.map((d) => d.scope)).toEqual(['project', 'user']);
  });
});

describe('loadAgents precedence', () => {
  it('the closest project directory beats an outer one', () => {
    const cwd = join(repo, 'pkg');
    agent(join(projectAgents(repo), 'x.md'), 'x', 'outer');
    agent(join(projectAgents(cwd), 'x.md'), 'x', 'inner');
    const r = loadAgents({ cwd, homeDir: home, builtinDir: false });
    expect(r.agents.map((a) => [a.name, a.description, a.source.scope])).toEqual([['x', 'inner', 'project']]);
    expect(r.shadowed).toEqual([
      {
        name: 'x',
        scope: 'project',
        path: join(projectAgents(repo), 'x.md'),
        by: { scope: 'project', path: join(projectAgents(cwd), 'x.md') },
      },
    ]);
  });

  it('project beats user, user beats built-in', () => {
    const builtin = join(base, 'builtin');
    agent(join(builtin, 'a.md'), 'a', 'builtin a');
    agent(join(builtin, 'b.md'), 'b', 'builtin b');
    agent(join(builtin, 'c.md'), 'c', 'builtin c');
    agent(join(projectAgents(home), 'a.md'), 'a', 'user a');
    agent(join(projectAgents(home), 'b.md'), 'b', 'user b');
    agent(join(projectAgents(repo), 'a.md'), 'a', 'project a');
    const r = loadAgents({ cwd: repo, homeDir: home, builtinDir: builtin });
    const by = Object.fromEntries(r.agents.map((a) => [a.name, [a.description, a.source.scope]]));
    expect(by).toEqual({ a: ['project a', 'project'], b: ['user b', 'user'], c: ['builtin c', 'builtin'] });
    expect(r.shadowed.map((s) => [s.name, s.scope, s.by.scope])).toEqual([
      ['a', 'user', 'project'],
      ['a', 'builtin', 'project'],
      ['b', 'builtin', 'user'],
    ]);
    expect(findAgent('b', { cwd: repo, homeDir: home, builtinDir: builtin })?.description).toBe('user b');
    expect(findAgent('zzz', { cwd: repo, homeDir: home, builtinDir: builtin })).toBeUndefined();
  });

  it('reads nested folders and ignores non-Markdown files', () => {
    agent(join(projectAgents(repo), 'team', 'deep.md'), 'deep');
    writeFileSync(join(projectAgents(repo), 'notes.txt'), 'not an agent');
    const r = loadAgents({ cwd: repo, homeDir: home, builtinDir: false });
    expect(r.agents.map((a) => a.name)).toEqual(['deep']);
    expect(r.files).toHaveLength(1);
  });

  it('a broken file is skipped and reported, a closer broken file does not hide a valid outer one', () => {
    const cwd = join(repo, 'pkg');
    agent(join(projectAgents(repo), 'x.md'), 'x', 'outer');
    mkdirSync(projectAgents(cwd), { recursive: true });
    writeFileSync(join(projectAgents(cwd), 'x.md'), '---\nname: x\n---\nno description');
    const r = loadAgents({ cwd, homeDir: home, builtinDir: false });
    expect(r.agents.map((a) => a.description)).toEqual(['outer']);
    expect(r.problems.map((p) => [p.file, p.code])).toEqual([
      [join(projectAgents(cwd), 'x.md'), 'missing-description'],
    ]);
  });

  it('two files with one name in one directory: the last by path wins (as in Claude Code), the others are errors', () => {
    agent(join(projectAgents(repo), 'aa', 'q.md'), 'same', 'nested aa');
    agent(join(projectAgents(repo), 'q.md'), 'same', 'top');
    agent(join(projectAgents(repo), 'zz', 'q.md'), 'same', 'nested zz');
    const r = loadAgents({ cwd: repo, homeDir: home, builtinDir: false });
    expect(r.agents.map((a) => a.description)).toEqual(['nested zz']);
    const message =
      'duplicate name "same": zz/q.md in the same directory defines it too and wins; this file is ignored';
    expect(r.problems).toEqual([
      {
        file: join(projectAgents(repo), 'aa', 'q.md'),
        line: 2,
        severity: 'error',
        code: 'duplicate-name',
        message,
      },
      {
        file: join(projectAgents(repo), 'q.md'),
        line: 2,
        severity: 'error',
        code: 'duplicate-name',
        message,
      },
    ]);
  });

  it('loads the package built-ins by default', () => {
    const r = loadAgents({ cwd: repo, homeDir: home });
    expect(r.agents.map((a) => a.name).sort()).toEqual([...BUILTIN_AGENT_NAMES].sort());
    expect(r.agents.every((a) => a.source.scope === 'builtin')).toBe(true);
    expect(r.problems).toEqual([]);
  });
});
