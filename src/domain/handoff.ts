import { z } from 'zod';

/** The article's context handoff envelope (Pattern 4), passed from one agent to the next. */
export const handoffSchema = z.object({
  v: z.literal(1).default(1),
  from: z.string().min(1),
  to: z.string().min(1),
  timestamp: z.string(),
  artifacts: z.object({
    interfaces: z.array(z.string()).default([]),
    implementationNotes: z
      .object({
        critical: z.array(z.string()).default([]),
        optimization: z.array(z.string()).default([]),
        limitation: z.array(z.string()).default([]),
      })
      .default({ critical: [], optimization: [], limitation: [] }),
    dependencies: z.array(z.string()).default([]),
    testRequirements: z.array(z.string()).default([]),
  }),
  nextAgentContext: z.object({
    focus: z.string().default(''),
    constraints: z.array(z.string()).default([]),
    availableContextBudget: z.number().int().nonnegative().optional(),
  }),
});

/** The envelope a finished or stopped attempt leaves for whoever continues (Pattern 4). */
export type Handoff = z.output<typeof handoffSchema>;
