import { basename, relative, sep } from 'node:path';
import type { AgentDefinition, AgentScope } from '../domain/index.js';
import type { AgentLintReport } from './lint.js';
import type { ShadowedAgent } from './load.js';
import type { AgentProblem } from './problem.js';

/**
 * How to show paths: relative to `cwd` inside the project (`root`, default `cwd`), `~` for the home
 * directory, built-ins by file name, anything else absolute.
 */
export interface AgentPathStyle {
  cwd: string;
  homeDir: string;
  root?: string;
}

/** A path as a user reads it best. */
export function agentDisplayPath(path: string, scope: AgentScope | undefined, style: AgentPathStyle): string {
  if (scope === 'builtin') return basename(path);
  const inside = (dir: string) => !relative(dir, path).startsWith('..');
  if (inside(style.cwd) || inside(style.root ?? style.cwd)) return relative(style.cwd, path) || '.';
  const fromHome = relative(style.homeDir, path);
  if (!fromHome.startsWith('..')) return `~${sep}${fromHome}`;
  return path;
}

/** `file:line: severity: message [code]`, one per problem, compiler style. */
export function formatAgentProblems(problems: readonly AgentProblem[], style: AgentPathStyle): string {
  return problems
    .map(
      (p) =>
        `${agentDisplayPath(p.file, undefined, style)}:${p.line}: ${p.severity}: ${p.message} [${p.code}]\n`,
    )
    .join('');
}

/** The closing line of a lint run. */
export function formatLintSummary(report: AgentLintReport): string {
  const n = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  return `${n(report.errors, 'error')}, ${n(report.warnings, 'warning')} in ${n(report.files.length, 'agent file')}\n`;
}

/** Cut a string to `width` characters, ending in "…" when cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

const TOOLS_WIDTH = 40;

/** One line per agent: name, scope, model, tools, description; lines fit in `width` columns. */
export function formatAgentTable(
  agents: readonly AgentDefinition[],
  width = Number.POSITIVE_INFINITY,
): string {
  const rows = agents.map((a) => [
    a.name,
    a.source.scope,
    a.model ?? 'inherit',
    truncate(a.tools ? a.tools.join(', ') : 'all', TOOLS_WIDTH),
    a.description.replace(/\s+/g, ' ').trim(),
  ]);
  const header = ['NAME', 'SCOPE', 'MODEL', 'TOOLS', 'DESCRIPTION'];
  const widths = header
    .slice(0, 4)
    .map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => {
    const fixed = cells
      .slice(0, 4)
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ');
    return `${truncate(`${fixed}  ${cells[4] ?? ''}`, width).trimEnd()}\n`;
  };
  return [header, ...rows].map(line).join('');
}

/** The files that lose to a closer definition, and which file wins. */
export function formatShadowed(shadowed: readonly ShadowedAgent[], style: AgentPathStyle): string {
  if (shadowed.length === 0) return '';
  const show = (path: string, scope: AgentScope) => `[${scope}] ${agentDisplayPath(path, scope, style)}`;
  const lines = shadowed.map(
    (s) => `  ${s.name}: ${show(s.path, s.scope)} ← ${show(s.by.path, s.by.scope)}\n`,
  );
  return `\nShadowed by a closer definition:\n${lines.join('')}`;
}
