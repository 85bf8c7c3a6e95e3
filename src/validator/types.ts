import { z } from 'zod';

/** What a finding is about. */
export const FINDING_KINDS = [
  'conflict',
  'contract',
  'type-error',
  'criterion',
  'race',
  'dependency',
] as const;

/** The kinds of difference between a contract and an implementation or use of it. */
export const CONTRACT_DEFECT_KINDS = [
  'missing-export',
  'missing-property',
  'extra-property',
  'property-type',
  'optionality',
  'renamed-property',
  'parameters',
  'return-type',
  'kind',
] as const;

/** A place in the integration tree (repository-relative POSIX path, 1-based line and column). */
export const locationSchema = z.object({
  file: z.string(),
  line: z.number().int().positive(),
  column: z.number().int().positive(),
});

/** One difference between a contract's canonical declaration and a task's version of it. */
export const contractDefectSchema = z.object({
  kind: z.enum(CONTRACT_DEFECT_KINDS),
  /** The property or parameter concerned, when there is one. */
  member: z.string().optional(),
  expected: z.string(),
  actual: z.string(),
});

/** One problem the validator found, mapped to the task that should fix it. */
export const findingSchema = z.object({
  /** Stable within a validation: the same problem gets the same id on the next check. */
  id: z.string(),
  kind: z.enum(FINDING_KINDS),
  severity: z.enum(['error', 'warning']),
  /** The task that owns the fix (undefined when no task owns the file). */
  taskId: z.string().optional(),
  agent: z.string().optional(),
  /** One line: "Interface mismatch in Operation type". */
  title: z.string(),
  /** Further lines for the report. */
  details: z.array(z.string()).default([]),
  location: locationSchema.optional(),
  contractId: z.string().optional(),
  expected: z.string().optional(),
  actual: z.string().optional(),
  /** What to do: "standardize to `{userId: string, operation: Transform}`". */
  fix: z.string().optional(),
  defects: z.array(contractDefectSchema).optional(),
  /** Other tasks involved (the other side of a conflict, the merge that introduced an error). */
  relatedTasks: z.array(z.string()).optional(),
});

/** A merge that git could not complete: aborted, recorded, and turned into a fix task. */
export const conflictSchema = z.object({
  files: z.array(z.string()),
  /** The task whose branch was being merged. */
  taskId: z.string(),
  /** Tasks already merged whose branches changed the same files. */
  withTasks: z.array(z.string()),
  ref: z.string(),
});

/** Work routed to a task's owner to fix a finding. Written to the hub for the run engine. */
export const fixTaskSchema = z.object({
  id: z.string(),
  /** The task (and so the owner agent and ownership globs) that must make the fix. */
  taskId: z.string(),
  agent: z.string().optional(),
  kind: z.enum(FINDING_KINDS),
  description: z.string(),
  contractId: z.string().optional(),
  expected: z.string().optional(),
  actual: z.string().optional(),
  files: z.array(z.string()).default([]),
  findingIds: z.array(z.string()),
});

/** One step of the merge train. */
export const mergeStepSchema = z.object({
  taskId: z.string(),
  ref: z.string(),
  ok: z.boolean(),
  commit: z.string().optional(),
  conflictFiles: z.array(z.string()).optional(),
});

/** What `validate` returns: the merge train, the findings and the fix tasks. */
export const validationReportSchema = z.object({
  runId: z.string(),
  base: z.string(),
  /** The integration branch, or null with --no-merge. */
  integrationBranch: z.string().nullable(),
  /** Where the integration checkout is (null with --no-merge: it was temporary and is gone). */
  integrationWorktree: z.string().nullable(),
  merges: z.array(mergeStepSchema),
  conflicts: z.array(conflictSchema),
  findings: z.array(findingSchema),
  fixTasks: z.array(fixTaskSchema),
  /** What already failed on the base and still fails the same way: reported, never sent to a task. */
  preexisting: z.array(findingSchema).default([]),
  /** Each distinct criterion command run on the integration tree and how it ended. */
  criteria: z
    .array(
      z.object({
        command: z.string(),
        tasks: z.array(z.string()),
        exitCode: z.number().int().nullable(),
        timedOut: z.boolean(),
        durationMs: z.number(),
        /** Same command on the same tree as an earlier run: its result was reused. */
        cached: z.boolean(),
      }),
    )
    .default([]),
  /** The compiler of the project type check (null when none ran). */
  typescript: z
    .object({ version: z.string(), source: z.enum(['project', 'bundled']), note: z.string().optional() })
    .nullable()
    .default(null),
  /** Said before validation ran (e.g. overlapping ownership of existing branches). */
  warnings: z.array(z.string()).default([]),
  /** No conflict and no new error; pre-existing failures do not count. */
  ok: z.boolean(),
});

export type FindingKind = (typeof FINDING_KINDS)[number];
export type ContractDefectKind = (typeof CONTRACT_DEFECT_KINDS)[number];
export type Location = z.output<typeof locationSchema>;
export type ContractDefect = z.output<typeof contractDefectSchema>;
/** One problem validation found, with the task that owns its fix (or none). */
export type Finding = z.output<typeof findingSchema>;
export type Conflict = z.output<typeof conflictSchema>;
export type FixTask = z.output<typeof fixTaskSchema>;
export type MergeStep = z.output<typeof mergeStepSchema>;
/** What a validation did and found: merges, type check, criteria, contracts, findings. */
export type ValidationReport = z.output<typeof validationReportSchema>;

/**
 * Where fix tasks and conflicts go (the hub for runs). Defined here so the validator does not
 * depend on the hub's implementation.
 */
export interface FixTaskSink {
  addFixTask(runId: string, fixTask: FixTask): void | Promise<void>;
  addConflict(runId: string, conflict: Conflict): void | Promise<void>;
}
