import {
  AGENT_NAME_PATTERN,
  type AgentDefinition,
  type AgentScope,
  agentFrontmatterSchema,
  MODEL_ALIASES,
  PERMISSION_MODES,
} from '../domain/index.js';
import { parseFrontmatter, splitFrontmatter } from './frontmatter.js';
import type { AgentProblem, AgentProblemCode } from './problem.js';
import { didYouMean } from './suggest.js';
import { checkToolRule } from './tool-names.js';

/** The outcome of reading one agent file: the agent when Claude Code would load it, and every problem. */
export interface AgentFileResult {
  file: string;
  agent?: AgentDefinition;
  /** The `name` in the frontmatter when there is a usable one, even if the file has other errors. */
  name?: string;
  /** File line of the `name` key (1 when absent). */
  nameLine: number;
  problems: AgentProblem[];
}

const KNOWN_KEYS = Object.keys(agentFrontmatterSchema.shape);
/** A full model id: anything naming a Claude model, including Bedrock/Vertex forms (us.anthropic.claude-…). */
const FULL_MODEL_ID = /^[A-Za-z0-9._:@/-]*claude-[a-z0-9][A-Za-z0-9._:@/[\]-]*$/;
// What Claude Code 2.1.331 does with each kind of file was checked against the real binary (it
// lists the agents it loaded in the Agent tool's description): see the messages below.
const SKIPPED = 'Claude Code skips this file';

/** True when Claude Code accepts this `model` value in an agent file. */
export function isKnownModel(model: string): boolean {
  return (MODEL_ALIASES as readonly string[]).includes(model) || FULL_MODEL_ID.test(model);
}

/**
 * Read one agent file's text: split, parse and check its frontmatter the way Claude Code reads
 * it, and report each problem at the line of the key to fix (line 1 for file-level problems).
 */
export function parseAgentFile(text: string, file: string, scope: AgentScope): AgentFileResult {
  const problems: AgentProblem[] = [];
  const add = (
    line: number,
    code: AgentProblemCode,
    message: string,
    severity: 'error' | 'warning' = 'error',
  ) => problems.push({ file, line, severity, code, message });

  const split = splitFrontmatter(text);
  if (!split.ok) {
    add(split.line, split.code, split.message);
    return { file, nameLine: 1, problems };
  }
  const fm = parseFrontmatter(split.yaml);
  if (fm.errors.length > 0) {
    // Claude Code falls back to a lenient line-by-line reading: some such files load with wrong values
    // (`tools: [Read, Grep` becomes one tool named "[Read, Grep"), others are skipped.
    const fileLines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    for (const e of fm.errors)
      add(
        e.line,
        'invalid-yaml',
        `invalid YAML: ${e.message}${quoteHint(fileLines[e.line - 1])}; Claude Code skips this file or misreads its values`,
      );
    return { file, nameLine: 1, problems };
  }
  const data = fm.data ?? {};
  if (typeof data !== 'object' || Array.isArray(data) || data === null) {
    add(
      2,
      'not-a-mapping',
      `the frontmatter must be "key: value" lines, not a ${Array.isArray(data) ? 'list' : typeof data}; ${SKIPPED}`,
    );
    return { file, nameLine: 1, problems };
  }
  const record = data as Record<string, unknown>;
  const lineOf = (key: string) => fm.keyLines.get(key) ?? 1;
  const reported = new Set<string>();
  const report = (key: string, code: AgentProblemCode, message: string, line = lineOf(key)) => {
    reported.add(key);
    add(line, code, message);
  };

  // name and description: without them Claude Code silently skips the file.
  const name = record.name;
  let usableName: string | undefined;
  if (name === undefined || name === null || name === '') {
    report('name', 'missing-name', `missing name; ${SKIPPED}`, name === undefined ? 1 : lineOf('name'));
  } else if (typeof name !== 'string' || !AGENT_NAME_PATTERN.test(name)) {
    report(
      'name',
      'invalid-name',
      `invalid name ${JSON.stringify(name)}: use lowercase letters, digits and hyphens, not starting with "-"; ${nameConsequence(name)}`,
    );
  } else {
    usableName = name;
  }
  const description = record.description;
  if (description === undefined || description === null) {
    report(
      'description',
      'missing-description',
      `missing description; ${SKIPPED}`,
      description === undefined ? 1 : lineOf('description'),
    );
  } else if (typeof description !== 'string' || description.trim() === '') {
    report('description', 'missing-description', `description must be non-empty text; ${SKIPPED}`);
  }

  for (const key of ['tools', 'disallowedTools', 'skills'] as const) {
    const value = record[key];
    if (value === undefined) continue;
    const entries =
      typeof value === 'string'
        ? value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : value;
    if (!Array.isArray(entries) || !entries.every((e) => typeof e === 'string')) {
      report(key, 'invalid-field', `${key} must be a comma-separated string or a list of names`);
      continue;
    }
    if (key === 'skills') continue;
    const lines = fm.itemLines.get(key);
    entries.forEach((entry, i) => {
      const check = checkToolRule(entry);
      if (check.ok) return;
      const consequence =
        key === 'tools' ? 'Claude Code ignores it, so the agent runs without it' : 'so it blocks nothing';
      report(key, 'unknown-tool', `${key}: ${check.reason}; ${consequence}`, lines?.[i] ?? lineOf(key));
    });
  }

  const model = record.model;
  if (model !== undefined && (typeof model !== 'string' || !isKnownModel(model))) {
    report(
      'model',
      'unknown-model',
      `unknown model ${JSON.stringify(model)}${typeof model === 'string' ? didYouMean(model, MODEL_ALIASES) : ''}: use ${MODEL_ALIASES.join(', ')} or a full id such as claude-sonnet-4-5`,
    );
  }
  const mode = record.permissionMode;
  if (mode !== undefined && !(PERMISSION_MODES as readonly unknown[]).includes(mode)) {
    report(
      'permissionMode',
      'unknown-permission-mode',
      `unknown permission mode ${JSON.stringify(mode)}${typeof mode === 'string' ? didYouMean(mode, PERMISSION_MODES) : ''}: choose one of ${PERMISSION_MODES.join(', ')}`,
    );
  }
  const maxTurns = record.maxTurns;
  if (
    maxTurns !== undefined &&
    !(typeof maxTurns === 'number' && Number.isInteger(maxTurns) && maxTurns > 0)
  ) {
    report(
      'maxTurns',
      'invalid-field',
      `maxTurns must be a positive integer, not ${JSON.stringify(maxTurns)}`,
    );
  }

  for (const key of Object.keys(record)) {
    if (!KNOWN_KEYS.includes(key)) {
      add(
        lineOf(key),
        'unknown-key',
        `unknown key "${key}"${didYouMean(key, KNOWN_KEYS)}; Claude Code ignores it`,
        'warning',
      );
    }
  }

  // Anything the checks above did not name but the schema rejects (a wrong type elsewhere).
  const parsed = agentFrontmatterSchema.safeParse(record);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '');
      if (reported.has(key)) continue;
      report(key, 'invalid-field', `${key || 'frontmatter'}: ${issue.message}`);
    }
  }
  if (split.body === '') {
    add(
      1,
      'empty-prompt',
      'the body after the frontmatter is empty: the agent gets no system prompt',
      'warning',
    );
  }
  const result: AgentFileResult = { file, nameLine: lineOf('name'), problems };
  if (usableName !== undefined) result.name = usableName;
  if (parsed.success && !problems.some((p) => SKIPPING_CODES.has(p.code))) {
    result.agent = { ...parsed.data, prompt: split.body, source: { scope, path: file } };
  }
  return result;
}

/** The most common YAML mistake in agent files: an unquoted value that itself contains ": ". */
function quoteHint(line: string | undefined): string {
  const m = line === undefined ? null : /^\s*([\w-]+):\s+([^'"\s].*:\s.*)$/.exec(line);
  return m ? ` (the value of "${m[1]}" contains ": "; put it in quotes)` : '';
}

/** Claude Code skips names with ":" or a leading "-"; it loads others (spaces, capitals) against its documented rule. */
function nameConsequence(name: unknown): string {
  if (typeof name !== 'string' || name.includes(':') || name.startsWith('-')) return SKIPPED;
  return 'Claude Code loads it today against its documented rule, Orchestra does not';
}

/** Problems that make Claude Code skip the file, so we do not load the agent either. */
const SKIPPING_CODES = new Set<AgentProblemCode>([
  'no-frontmatter',
  'unterminated-frontmatter',
  'invalid-yaml',
  'not-a-mapping',
  'missing-name',
  'invalid-name',
  'missing-description',
]);
