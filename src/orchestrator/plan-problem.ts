import { closest } from '../agents/index.js';

/** A segment of a path inside a plan document: a key or an array index. */
export type PlanPathSegment = string | number;

/** Every kind of plan problem, with its default severity. Codes are stable: tools match on them. */
export const PLAN_PROBLEM_CODES = {
  syntax: 'error',
  schema: 'error',
  'unknown-key': 'error',
  'duplicate-task-id': 'error',
  'unknown-dependency': 'error',
  'self-dependency': 'error',
  'duplicate-dependency': 'warning',
  'dependency-cycle': 'error',
  'unknown-agent': 'error',
  'agent-not-assignable': 'error',
  'duplicate-contract-id': 'error',
  'undeclared-contract': 'error',
  'contract-not-provided': 'error',
  'contract-multiple-providers': 'error',
  'unknown-contract-owner': 'error',
  'contract-owner-mismatch': 'error',
  'glob-syntax': 'error',
  'ownership-overlap': 'error',
  'read-write-race': 'warning',
  'no-success-criteria': 'warning',
} as const;

/** A stable problem code. */
export type PlanProblemCode = keyof typeof PLAN_PROBLEM_CODES;

/** Errors make a plan invalid; warnings are worth reading but do not stop a run. */
export type PlanProblemSeverity = 'error' | 'warning';

/** One problem in a plan, located as precisely as the document allows. */
export interface PlanProblem {
  code: PlanProblemCode;
  severity: PlanProblemSeverity;
  message: string;
  /** Where in the document, e.g. `tasks[2].dependsOn[0]`; empty for the whole document. */
  path: string;
  /** 1-based line in the plan file, when known. */
  line?: number;
}

/** Finds the line of a path inside the loaded document. */
export type LineLocator = (path: readonly PlanPathSegment[]) => number | undefined;

/** Build a problem with its code's severity and, when a locator is given, its line. */
export function planProblem(
  code: PlanProblemCode,
  message: string,
  path: readonly PlanPathSegment[] = [],
  lineOf?: LineLocator,
): PlanProblem {
  const line = lineOf?.(path);
  return {
    code,
    severity: PLAN_PROBLEM_CODES[code],
    message,
    path: formatPlanPath(path),
    ...(line === undefined ? {} : { line }),
  };
}

/** `['tasks', 2, 'owns', 0]` → `tasks[2].owns[0]`. */
export function formatPlanPath(path: readonly PlanPathSegment[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

/** `file:line: severity [code] message`, the format compilers use, so editors can jump to it. */
export function formatPlanProblem(file: string, p: PlanProblem): string {
  const where = p.line === undefined ? file : `${file}:${p.line}`;
  return `${where}: ${p.severity} [${p.code}] ${p.message}`;
}

/** Problems in document order (by line, then errors before warnings), for reading. */
export function sortPlanProblems(problems: readonly PlanProblem[]): PlanProblem[] {
  return [...problems].sort(
    (a, b) =>
      (a.line ?? 0) - (b.line ?? 0) || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1),
  );
}

/** Adds one problem at a path of the document. */
export type ReportProblem = (code: PlanProblemCode, message: string, path: PlanPathSegment[]) => void;

/** `; did you mean "x"?` when a candidate is close enough to be the intended word. */
export function hint(word: string, candidates: readonly string[]): string {
  const guess = closest(word, candidates);
  return guess ? `; did you mean "${guess}"?` : '';
}
