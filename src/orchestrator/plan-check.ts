import { readFileSync } from 'node:fs';
import type { Plan } from '../domain/index.js';
import { UserError } from '../errors.js';
import { loadPlanText, type PlanFormat, planFormatOf } from './plan-load.js';
import { formatPlanProblem, type PlanProblem, sortPlanProblems } from './plan-problem.js';
import { validatePlan } from './plan-validate.js';

/** Everything `plan check` knows about a plan file. */
export interface PlanReport {
  file: string;
  /** The parsed plan, when its syntax and schema are valid (even if other errors remain). */
  plan?: Plan;
  /** In document order. */
  problems: PlanProblem[];
  errors: number;
  warnings: number;
  /** No errors (warnings allowed). */
  valid: boolean;
}

/** Options of a check: the agent names to accept (check skipped when absent) and the format. */
export interface CheckPlanOptions {
  knownAgents?: readonly string[];
  format?: PlanFormat;
}

/** Load and validate a plan's text; `file` only names it in the report. */
export function checkPlanText(text: string, file: string, options: CheckPlanOptions = {}): PlanReport {
  const loaded = loadPlanText(text, options.format ?? planFormatOf(file));
  if (!loaded.success) return report(file, undefined, loaded.problems);
  const { plan, lineOf } = loaded.value;
  const validation = validatePlan(plan, {
    lineOf,
    ...(options.knownAgents ? { knownAgents: options.knownAgents } : {}),
  });
  return report(file, plan, [...loaded.problems, ...validation]);
}

/** Read, load and validate a plan file; an unreadable file is a UserError. */
export function checkPlanFile(path: string, options: CheckPlanOptions = {}): PlanReport {
  return checkPlanText(readPlanText(path), path, options);
}

/** A plan file's plan and warnings, or a UserError listing every error (for `show` and `run`). */
export function loadValidPlan(
  path: string,
  options: CheckPlanOptions = {},
): { plan: Plan; report: PlanReport } {
  const r = checkPlanFile(path, options);
  if (!r.valid || !r.plan) {
    const lines = r.problems
      .filter((p) => p.severity === 'error')
      .map((p) => `  ${formatPlanProblem(path, p)}`);
    throw new UserError(
      'invalid-plan',
      `${path} is not a valid plan (${r.errors} error${r.errors === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    );
  }
  return { plan: r.plan, report: r };
}

/** The text of a plan file, or a UserError saying why it cannot be read (naming it as `label`). */
export function readPlanText(path: string, label: string = path): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new UserError(
      'plan-unreadable',
      `cannot read plan ${label}: ${why}. Pass the path of a plan YAML or JSON file.`,
      { cause: e },
    );
  }
}

function report(file: string, plan: Plan | undefined, problems: PlanProblem[]): PlanReport {
  const errors = problems.filter((p) => p.severity === 'error').length;
  return {
    file,
    ...(plan ? { plan } : {}),
    problems: sortPlanProblems(problems),
    errors,
    warnings: problems.length - errors,
    valid: errors === 0,
  };
}
