import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { projectRoot } from '../config/index.js';
import { UserError } from '../errors.js';
import { frontMatterStyle } from './formatter-style.js';
import { formatterRewrites } from './frontmatter.js';
import { type LoadAgentsOptions, loadAgents, readAgentDir } from './load.js';
import type { AgentProblem } from './problem.js';

/** What a lint run looked at and found. */
export interface AgentLintReport {
  /** The agent files read, sorted. */
  files: string[];
  /** Problems sorted by file, then line. */
  problems: AgentProblem[];
  errors: number;
  warnings: number;
}

/** Warnings where the project's formatter would rewrite an agent file's frontmatter. */
function formatterWarnings(files: readonly string[], root: string): AgentProblem[] {
  const style = frontMatterStyle(root);
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return []; // unreadable files are reported by the loader
    }
    return formatterRewrites(text, style).map((r) => ({
      file,
      line: r.line,
      severity: 'warning' as const,
      code: 'formatter-rewrite' as const,
      message: r.message,
    }));
  });
}

function report(files: string[], problems: AgentProblem[]): AgentLintReport {
  const sorted = [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  const errors = sorted.filter((p) => p.severity === 'error').length;
  return { files: [...files].sort(), problems: sorted, errors, warnings: sorted.length - errors };
}

/**
 * Lint every `*.md` under `dir` as one scope level (duplicate names among them are errors). When
 * `dir` holds a `.claude/agents` folder, that folder is linted: `orchestra agents lint .` at a
 * project root means its agents, not its README.
 */
export function lintAgentDir(dir: string): AgentLintReport {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new UserError(
      'no-such-directory',
      `${dir} is not a directory; pass the folder holding the agent files`,
    );
  }
  const nested = join(abs, '.claude', 'agents');
  const target = existsSync(nested) ? nested : abs;
  const { results, files } = readAgentDir(target, 'project');
  return report(files, [
    ...results.flatMap((r) => r.problems),
    ...formatterWarnings(files, target === nested ? abs : projectRoot(abs)),
  ]);
}

/** Lint the project-scope agents `loadAgents` sees from `cwd` (every `.claude/agents` up to the repo root). */
export function lintProject(options: LoadAgentsOptions): AgentLintReport {
  const loaded = loadAgents({ ...options, builtinDir: false });
  const files = loaded.files.filter((f) => f.scope === 'project').map((f) => f.path);
  const inProject = new Set(files);
  return report(files, [
    ...loaded.problems.filter((p) => inProject.has(p.file)),
    ...formatterWarnings(files, projectRoot(resolve(options.cwd))),
  ]);
}
