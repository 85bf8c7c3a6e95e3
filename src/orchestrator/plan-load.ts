import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { type Plan, planSchema } from '../domain/index.js';
import { jsonErrorOffset } from './plan-json-error.js';
import { type LineLocator, type PlanPathSegment, type PlanProblem, planProblem } from './plan-problem.js';
import { unknownKeyProblems } from './plan-unknown-keys.js';

/** A plan file's text parsed, with a way back from a path in it to its line. */
export interface LoadedPlan {
  plan: Plan;
  lineOf: LineLocator;
}

/**
 * The outcome of loading: the plan and any non-fatal problems found on the way (unknown keys), or
 * every syntax or schema problem with its line. Never throws for bad input.
 */
export type PlanLoad =
  | { success: true; value: LoadedPlan; problems: PlanProblem[] }
  | { success: false; error: string; problems: PlanProblem[] };

/** `json` for JSON, `yaml` for YAML; `auto` decides by the first character. */
export type PlanFormat = 'yaml' | 'json' | 'auto';

/** The format a plan file name implies (`.json` → JSON, `.yaml`/`.yml` → YAML, else by content). */
export function planFormatOf(fileName: string): PlanFormat {
  if (/\.json$/i.test(fileName)) return 'json';
  if (/\.ya?ml$/i.test(fileName)) return 'yaml';
  return 'auto';
}

/** Parse a plan from its text: syntax, then the plan schema, each problem with its line. */
export function loadPlanText(text: string, format: PlanFormat = 'auto'): PlanLoad {
  const source = text.replace(/^\uFEFF/, '');
  const json = format === 'json' || (format === 'auto' && /^\s*[{[]/.test(source));
  const read = json ? readJson(source) : readYaml(source);
  if (!read.success) return failure(read.problems);
  const { data, lineOf } = read;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return failure([planProblem('schema', 'a plan is a mapping with version, goal and tasks', [], lineOf)]);
  }
  const unknown = unknownKeyProblems(data, lineOf);
  const parsed = planSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const path = i.path.filter((p): p is PlanPathSegment => typeof p !== 'symbol');
      return planProblem('schema', describeIssue(path, i.message), path, lineOf);
    });
    return failure([...problems, ...unknown]);
  }
  return { success: true, value: { plan: parsed.data, lineOf }, problems: unknown };
}

type Read =
  | { success: true; data: unknown; lineOf: LineLocator }
  | { success: false; problems: PlanProblem[] };

/**
 * JSON.parse is the authority on JSON syntax and much faster than the YAML parser on large plans;
 * the YAML parser (JSON is YAML) only runs when a problem needs its line.
 */
function readJson(source: string): Read {
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : jsonErrorOffset(source);
    const line = offset >= 0 ? lineAtOffset(source, offset) : undefined;
    const reason = message
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/\s*\(line \d+ column \d+\)$/, '')
      .replace(/, "[\s\S]*" is not valid JSON$/, '')
      .replace(/\s+/g, ' ');
    return {
      success: false,
      problems: [{ ...planProblem('syntax', `invalid JSON: ${reason}`), ...(line ? { line } : {}) }],
    };
  }
  let located: { doc: Document.Parsed; lc: LineCounter } | undefined;
  const lineOf: LineLocator = (path) => {
    if (!located) {
      const lc = new LineCounter();
      located = { doc: parseDocument(source, { lineCounter: lc }), lc };
    }
    return locate(located.doc.contents, path, located.lc);
  };
  return { success: true, data, lineOf };
}

function readYaml(source: string): Read {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const line = e.linePos?.[0].line;
      const reason = e.message.split(/ at line \d+, column \d+/)[0] ?? e.message;
      return { ...planProblem('syntax', `invalid YAML: ${reason}`), ...(line ? { line } : {}) };
    });
    return { success: false, problems };
  }
  try {
    // The alias cap stops "billion laughs" documents while allowing anchors reused across many tasks.
    const data: unknown = doc.toJS({ maxAliasCount: 100_000 });
    return { success: true, data, lineOf: (path) => locate(doc.contents, path, lineCounter) };
  } catch (e) {
    return { success: false, problems: [planProblem('syntax', `invalid YAML: ${(e as Error).message}`)] };
  }
}

function failure(problems: PlanProblem[]): PlanLoad {
  const first = problems[0];
  return { success: false, error: first ? first.message : 'invalid plan', problems };
}

function describeIssue(path: readonly PlanPathSegment[], raw: string): string {
  const expected = /^Invalid input: expected (\w+), received undefined$/.exec(raw);
  const message = expected ? `required ${expected[1]} is missing` : raw;
  const where =
    path.length === 0
      ? 'the plan'
      : path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
          .join('')
          .replace(/^\./, '');
  return `${where}: ${message}`;
}

/** The line of the deepest node on `path` that exists: a missing key points at its parent. */
function locate(root: unknown, path: readonly PlanPathSegment[], lc: LineCounter): number | undefined {
  const lineOfNode = (n: unknown) => {
    const range = (n as Node | null)?.range;
    return range ? lc.linePos(range[0]).line : undefined;
  };
  let node = root;
  let line = lineOfNode(node) ?? 1;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg),
      );
      if (!pair) break;
      line = lineOfNode(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      line = lineOfNode(item) ?? line;
      node = item;
    } else break;
  }
  return line;
}

/** 1-based line of a character offset. */
function lineAtOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
