import { z } from 'zod';

/**
 * What a specialist returns through structured output: a summary of the implemented code, the
 * interface contracts it provides, test requirements and dependencies it needs.
 */
export const taskResultSchema = z.object({
  summary: z.string(),
  contracts: z
    .array(z.object({ id: z.string(), definition: z.string() }))
    .default([])
    .describe('Interface contracts implemented or provided, as declarations'),
  testRequirements: z
    .array(z.string())
    .default([])
    .describe('Tests this work still needs, e.g. ones only a task that builds on it can write'),
  dependenciesNeeded: z.array(z.string()).default([]),
  notes: z.array(z.string()).default([]),
});

/** The structured result a specialist returns at the end of its task. */
export type TaskResult = z.output<typeof taskResultSchema>;
