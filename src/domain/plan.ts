import { z } from 'zod';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-"');

/** An architecture decision the whole run must respect. */
export const decisionSchema = z.object({
  id,
  decision: z.string().min(1),
  rationale: z.string().optional(),
});

/** Contract kinds: a TypeScript declaration, an HTTP endpoint, an event, or a JSON Schema. */
export const CONTRACT_KINDS = ['typescript', 'http', 'event', 'json-schema'] as const;

/** An interface between tasks, provided by its owner task and consumed by others. */
export const contractSchema = z.object({
  id,
  kind: z.enum(CONTRACT_KINDS),
  owner: id,
  description: z.string().optional(),
  definition: z.string().min(1),
});

/** A command whose success shows the task is done. */
export const successCriterionSchema = z.object({
  description: z.string().min(1),
  command: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().optional(),
});

/** One atomic task of the graph. */
export const taskSchema = z.object({
  id,
  title: z.string().min(1),
  agent: z.string().min(1),
  instructions: z.string().default(''),
  owns: z.array(z.string().min(1)).default([]),
  reads: z.array(z.string().min(1)).default([]),
  dependsOn: z.array(z.string()).default([]),
  provides: z.array(z.string()).default([]),
  consumes: z.array(z.string()).default([]),
  successCriteria: z.array(successCriterionSchema).default([]),
  estimatedContextTokens: z.number().int().nonnegative().default(4000),
});

/** The task graph: `version: 1` plan files in YAML or JSON. */
export const planSchema = z.object({
  version: z.literal(1),
  goal: z.string().min(1),
  architecture: z
    .object({
      decisions: z.array(decisionSchema).default([]),
      constraints: z.array(z.string()).default([]),
      excludedDependencies: z.array(z.string()).default([]),
    })
    .default({ decisions: [], constraints: [], excludedDependencies: [] }),
  contracts: z.array(contractSchema).default([]),
  tasks: z.array(taskSchema).min(1),
});

/** A decision of the plan every task must respect. */
export type Decision = z.output<typeof decisionSchema>;
/** An interface between tasks: who provides it, who consumes it, and its definition. */
export type Contract = z.output<typeof contractSchema>;
export type ContractKind = (typeof CONTRACT_KINDS)[number];
export type SuccessCriterion = z.output<typeof successCriterionSchema>;
/** One task of a plan: its agent, the files it owns, its dependencies and success criteria. */
export type Task = z.output<typeof taskSchema>;
/** A validated plan: the task graph, its contracts and decisions. */
export type Plan = z.output<typeof planSchema>;
/** A plan as written by hand: defaults not yet applied. */
export type PlanInput = z.input<typeof planSchema>;
