import { z } from 'zod';

/** Version of the event envelope; bump with a migration when a shape changes. */
export const EVENT_SCHEMA_VERSION = 1;

const usage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheCreationInputTokens: z.number().int().nonnegative().default(0),
  cacheReadInputTokens: z.number().int().nonnegative().default(0),
});

/** Token usage of one model call or one task. */
export const usageSchema = usage;
/** Tokens of one model call or of a sum of them. */
export type Usage = z.output<typeof usageSchema>;

const ev = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), ...shape });

/** Every event of a run, by `type`. Payloads are small; large artifacts live in their own tables. */
export const eventPayloadSchema = z.discriminatedUnion('type', [
  ev('run.started', { goal: z.string(), baseCommit: z.string().optional() }),
  ev('run.finished', { status: z.string(), reason: z.string().optional() }),
  ev('task.queued', { wave: z.number().int().optional() }),
  ev('task.started', { attempt: z.number().int(), agent: z.string(), branch: z.string().optional() }),
  ev('task.finished', { attempt: z.number().int(), summary: z.string().optional() }),
  ev('task.failed', { attempt: z.number().int(), reason: z.string() }),
  ev('task.terminated', { attempt: z.number().int(), reason: z.string(), detail: z.string().optional() }),
  ev('tool.used', { tool: z.string(), input: z.unknown().optional(), toolUseId: z.string().optional() }),
  ev('tool.failed', { tool: z.string(), error: z.string(), toolUseId: z.string().optional() }),
  ev('tool.denied', { tool: z.string(), path: z.string().optional(), reason: z.string() }),
  ev('file.changed', { path: z.string(), sha256: z.string().nullable() }),
  ev('usage', { model: z.string().optional(), messageId: z.string().optional(), usage }),
  ev('api.retry', {
    attempt: z.number().int(),
    status: z.number().int().nullable(),
    error: z.string().optional(),
    retryInMs: z.number().optional(),
  }),
  ev('lease.acquired', { patterns: z.array(z.string()) }),
  ev('lease.released', { patterns: z.array(z.string()) }),
  ev('lease.refused', { patterns: z.array(z.string()), holder: z.string(), overlap: z.string() }),
  ev('conflict', { files: z.array(z.string()), tasks: z.array(z.string()), detail: z.string().optional() }),
  ev('decision', { decisionId: z.string(), decision: z.string() }),
  ev('handoff', { from: z.string(), to: z.string() }),
  ev('contract.updated', { contractId: z.string(), version: z.number().int() }),
  ev('merge', { branch: z.string(), commit: z.string().optional(), ok: z.boolean() }),
  ev('validation.finding', { kind: z.string(), severity: z.enum(['error', 'warning']), message: z.string() }),
  ev('note', { text: z.string() }),
  /** The orchestrator's planning: its rounds and how long it took (the report's orchestrator time). */
  ev('plan.created', { rounds: z.number().int(), durationMs: z.number().nonnegative(), ok: z.boolean() }),
  ev('wave.started', {
    wave: z.number().int(),
    tasks: z.array(z.string()),
    estimatedTokens: z.number().int().nonnegative(),
    budget: z.number().int().nonnegative(),
  }),
  ev('wave.finished', { wave: z.number().int(), merged: z.array(z.string()), failed: z.array(z.string()) }),
  ev('packet.built', {
    attempt: z.number().int(),
    tokens: z.number().int().nonnegative(),
    budget: z.number().int().nonnegative(),
    /** Tokens of the full context the task would otherwise need: every file it reads plus all hub state. */
    fullContextTokens: z.number().int().nonnegative().optional(),
    omitted: z.array(z.string()).default([]),
  }),
  ev('worktree.ready', {
    path: z.string(),
    /** The commit the task's branch started from, and the tasks whose merged work it holds. */
    start: z.string(),
    dependencies: z.array(z.string()).default([]),
    /** copied / linked: the checkout's node_modules; command: the setup command ran; none: nothing to do. */
    setup: z.enum(['copied', 'linked', 'command', 'none']),
    command: z.array(z.string()).optional(),
    ok: z.boolean(),
    ms: z.number().nonnegative(),
    detail: z.string().optional(),
  }),
  ev('fix.created', {
    fixId: z.number().int(),
    owner: z.string(),
    round: z.number().int(),
    description: z.string(),
  }),
  /** What already fails on the run's base (checked once before the first wave): never sent to a task. */
  ev('validation.base', {
    base: z.string(),
    typescript: z.string(),
    typeErrors: z.number().int().nonnegative(),
    criteria: z.number().int().nonnegative(),
    /** One line per pre-existing failure (at most 50). */
    failing: z.array(z.string()).default([]),
  }),
  /** One distinct criterion command on one integration tree; `cached`: same tree, not run again. */
  ev('validation.criterion', {
    command: z.string(),
    tasks: z.array(z.string()),
    exitCode: z.number().int().nullable(),
    timedOut: z.boolean(),
    durationMs: z.number().nonnegative(),
    cached: z.boolean(),
  }),
  ev('fix.round', {
    round: z.number().int().positive(),
    owners: z.array(z.string()),
    fixes: z.number().int(),
  }),
  /** A fix its owner did not act on (its attempt changed nothing): not sent again; `reason` is the attempt's own. */
  ev('fix.escalated', {
    fixIds: z.array(z.number().int()),
    owner: z.string(),
    to: z.string(),
    reason: z.string(),
  }),
  ev('change.requested', { by: z.string(), owner: z.string(), target: z.string(), description: z.string() }),
  ev('budget.exceeded', { spentUsd: z.number(), budgetUsd: z.number() }),
]);

/** The stored envelope around each payload. */
export const eventSchema = z.intersection(
  z.object({
    v: z.literal(EVENT_SCHEMA_VERSION),
    runId: z.string(),
    taskId: z.string().nullable().default(null),
    at: z.string(),
  }),
  eventPayloadSchema,
);

/** What a run event says (one of the `type`s), before the hub stamps it. */
export type EventPayload = z.output<typeof eventPayloadSchema>;
export type EventType = EventPayload['type'];
/** A run event as stored: its payload, schema version and time. */
export type OrchestraEvent = z.output<typeof eventSchema>;
