import { z } from 'zod';
import { agentSchema } from './agent.js';
import { eventSchema } from './event.js';
import { handoffSchema } from './handoff.js';
import { planSchema } from './plan.js';
import { taskResultSchema } from './task-result.js';

/** The named schemas `orchestra schema <name>` prints. */
export const SCHEMAS = {
  agent: agentSchema,
  plan: planSchema,
  handoff: handoffSchema,
  result: taskResultSchema,
  event: eventSchema,
} as const;

/** The name of a schema `orchestra schema <name>` prints. */
export type SchemaName = keyof typeof SCHEMAS;

/** JSON Schema (draft 2020-12) of a named schema, as input documents are written. */
export function toJsonSchema(name: SchemaName): Record<string, unknown> {
  return z.toJSONSchema(SCHEMAS[name], { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
