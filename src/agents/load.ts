import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { findRepoRoot } from '../config/index.js';
import type { AgentDefinition, AgentScope } from '../domain/index.js';
import { type AgentFileResult, parseAgentFile } from './agent-file.js';
import { listMarkdownFiles } from './files.js';
import type { AgentProblem } from './problem.js';
import { BUILTIN_AGENTS_DIR } from './templates.js';

/** Where to look for agents. `homeDir` and `builtinDir` are injectable for tests. */
export interface LoadAgentsOptions {
  cwd: string;
  /** Defaults to the user's home directory; `~/.claude/agents` is the user scope. */
  homeDir?: string;
  /**
   * Claude Code's `CLAUDE_CONFIG_DIR` when set: the user scope is then `<it>/agents` instead of
   * `~/.claude/agents` (checked against Claude Code 2.1.331).
   */
  claudeConfigDir?: string;
  /** Defaults to the package's templates; pass `false` to load no built-in agents. */
  builtinDir?: string | false;
}

/** One directory of agent files and its scope, in precedence order. */
export interface AgentDir {
  scope: AgentScope;
  dir: string;
}

/** An agent file that lost to a definition of the same name with higher precedence. */
export interface ShadowedAgent {
  name: string;
  scope: AgentScope;
  path: string;
  /** The file that wins. */
  by: { scope: AgentScope; path: string };
}

/** Everything `loadAgents` saw: the winning agents, the problems, what is shadowed, every file read. */
export interface LoadedAgents {
  agents: AgentDefinition[];
  problems: AgentProblem[];
  shadowed: ShadowedAgent[];
  files: { path: string; scope: AgentScope }[];
}

/**
 * The agent directories for `cwd`, highest precedence first, as Claude Code searches them:
 * `.claude/agents` in every directory from `cwd` up to the repository root (closest first; only
 * `cwd` outside a repository), then `~/.claude/agents` (or `$CLAUDE_CONFIG_DIR/agents`), then the
 * built-in templates.
 */
export function agentDirs(options: LoadAgentsOptions): AgentDir[] {
  const cwd = resolve(options.cwd);
  const userDir = options.claudeConfigDir
    ? join(resolve(options.claudeConfigDir), 'agents')
    : join(options.homeDir ?? homedir(), '.claude', 'agents');
  const root = findRepoRoot(cwd) ?? cwd;
  const dirs: AgentDir[] = [];
  for (let d = cwd; ; d = dirname(d)) {
    const dir = join(d, '.claude', 'agents');
    // A repository at or above the home directory must not turn the user's agents into project ones.
    if (dir !== userDir) dirs.push({ scope: 'project', dir });
    if (d === root || dirname(d) === d) break;
  }
  dirs.push({ scope: 'user', dir: userDir });
  const builtin = options.builtinDir ?? BUILTIN_AGENTS_DIR;
  if (builtin !== false) dirs.push({ scope: 'builtin', dir: builtin });
  return dirs;
}

/** Read one file; an unreadable file is a problem, not a crash. */
export function readAgentFile(path: string, scope: AgentScope): AgentFileResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const message = `cannot read the file: ${(e as Error).message}`;
    return {
      file: path,
      nameLine: 1,
      problems: [{ file: path, line: 1, severity: 'error', code: 'unreadable', message }],
    };
  }
  return parseAgentFile(text, path, scope);
}

/**
 * Read every agent file of one directory (one scope level). Two files there with the same name:
 * the last by path wins, as in Claude Code (checked against 2.1.331: of a.md and b.md, b.md wins;
 * of aa/q.md, q.md and zz/q.md, zz/q.md wins); the others get a `duplicate-name` error.
 */
export function readAgentDir(
  dir: string,
  scope: AgentScope,
): { results: AgentFileResult[]; files: string[] } {
  const files = listMarkdownFiles(dir);
  const results = files.map((f) => readAgentFile(f, scope));
  const winners = new Map<string, string>();
  for (const r of results) if (r.agent) winners.set(r.agent.name, r.file);
  for (const r of results) {
    const winner = r.agent && winners.get(r.agent.name);
    if (!r.agent || winner === undefined || winner === r.file) continue;
    r.problems.push({
      file: r.file,
      line: r.nameLine,
      severity: 'error',
      code: 'duplicate-name',
      message: `duplicate name "${r.agent.name}": ${relative(dir, winner)} in the same directory defines it too and wins; this file is ignored`,
    });
    delete r.agent;
  }
  return { results, files };
}

/**
 * Load the agents visible from `cwd` with Claude Code's precedence: project (closest directory
 * first) > user > built-in. Files with errors that make Claude Code skip them are left out and
 * reported in `problems`; a name defined at several levels resolves to the highest one and the
 * others are listed in `shadowed`.
 */
export function loadAgents(options: LoadAgentsOptions): LoadedAgents {
  const byName = new Map<string, AgentDefinition>();
  const out: LoadedAgents = { agents: [], problems: [], shadowed: [], files: [] };
  for (const { scope, dir } of agentDirs(options)) {
    const { results, files } = readAgentDir(dir, scope);
    for (const f of files) out.files.push({ path: f, scope });
    for (const r of results) {
      out.problems.push(...r.problems);
      const agent = r.agent;
      if (!agent) continue;
      const winner = byName.get(agent.name);
      if (winner) {
        out.shadowed.push({ name: agent.name, scope, path: agent.source.path, by: winner.source });
      } else {
        byName.set(agent.name, agent);
        out.agents.push(agent);
      }
    }
  }
  return out;
}

/** The agent called `name` as Claude Code would resolve it from `cwd`, if any. */
export function findAgent(name: string, options: LoadAgentsOptions): AgentDefinition | undefined {
  return loadAgents(options).agents.find((a) => a.name === name);
}
