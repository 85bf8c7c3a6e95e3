import { homedir } from 'node:os';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { isOrchestraError } from '../errors.js';
import type { RunStartArgs, RunStartSettings } from './run-start.js';
import type { McpContext, ToolResult } from './types.js';
import type { ValidateArgs } from './work-tools.js';

// Tool implementations load on their first call: the server must answer `initialize` quickly
// (Claude Code gives up on a slow MCP server), and the library behind the tools is large.
const hubTools = () => import('./hub-tools.js');
const planTools = () => import('./plan-tools.js');
const workTools = () => import('./work-tools.js');

/** The server's name: Claude Code shows its tools as `mcp__<server>__<tool>`. */
export const MCP_SERVER_NAME = 'orchestra';

/** Settings of `createOrchestraMcpServer`. */
export interface OrchestraMcpSettings {
  /** The session's directory: the repository whose hub and plans the tools read. */
  cwd: string;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  version?: string;
  runStart?: RunStartSettings;
}

const runId = z
  .string()
  .min(1)
  .optional()
  .describe('a run id (default: the newest run); runs_list lists them');
const positiveInt = z.number().int().positive();
const anyObject = z.object({}).loose();
const display = z.string().describe("the CLI's rendering of the answer, to show the user as it is");

/** Every tool: its name, description, input shape, output schema and what it does. */
function toolTable(ctx: McpContext, settings: OrchestraMcpSettings) {
  return [
    {
      name: 'plan_check',
      description:
        'Check a plan file (YAML or JSON): every problem with its line and code (cycles, unknown agents, overlapping ownership, races, missing criteria). valid=false means the plan cannot run.',
      input: { file: z.string().min(1).describe('plan file, relative to the session directory') },
      output: z
        .object({
          file: z.string(),
          valid: z.boolean(),
          errors: z.number(),
          warnings: z.number(),
          problems: z.array(
            z.object({
              code: z.string(),
              severity: z.string(),
              message: z.string(),
              path: z.string(),
              line: z.number().optional(),
            }),
          ),
        })
        .loose(),
      run: async (a: { file: string }) => (await planTools()).planCheck(ctx, a),
    },
    {
      name: 'plan_show',
      description:
        'Show a valid plan: goal, tasks with owners and dependencies, contracts, waves under maxParallel and the context budget, and a mermaid graph.',
      input: {
        file: z.string().min(1).describe('plan file, relative to the session directory'),
        maxParallel: positiveInt.optional().describe('tasks per wave (default: orchestra.config.json)'),
        contextBudget: positiveInt.optional().describe('estimated tokens per wave (default: the config)'),
      },
      output: z
        .object({
          goal: z.string(),
          tasks: z.array(
            z.object({
              id: z.string(),
              title: z.string(),
              agent: z.string(),
              owns: z.array(z.string()),
              dependsOn: z.array(z.string()),
            }),
          ),
          contracts: z.array(z.object({ id: z.string(), kind: z.string(), owner: z.string() })),
          limits: z.object({ maxParallel: z.number(), contextBudget: z.number() }),
          waves: z.array(z.object({ index: z.number(), taskIds: z.array(z.string()), tokens: z.number() })),
          warnings: z.array(z.string()),
          mermaid: z.string(),
        })
        .loose(),
      run: async (a: {
        file: string;
        maxParallel?: number | undefined;
        contextBudget?: number | undefined;
      }) => (await planTools()).planShow(ctx, a),
    },
    {
      name: 'run_start',
      description:
        'Start an Orchestra run in the background (orchestra run --yes): from a plan file, a request for the orchestrator to plan, or a stopped run to resume. Returns the run id at once; follow it with run_status. Calling this tool is the approval of the plan.',
      input: {
        request: z.string().min(1).optional().describe('what to build (planned by the orchestrator)'),
        planFile: z.string().min(1).optional().describe('a plan file to run instead'),
        resumeRunId: z.string().min(1).optional().describe('a stopped or interrupted run to continue'),
        maxParallel: positiveInt.optional(),
        contextBudget: positiveInt.optional(),
        budgetUsd: z.number().positive().optional().describe('stop cleanly before spending more'),
        waves: z.enum(['strict', 'dynamic']).optional(),
        model: z.string().min(1).optional(),
        merge: z.boolean().optional().describe('merge the green integration branch into the current branch'),
      },
      output: z
        .object({
          runId: z.string().nullable(),
          pid: z.number(),
          log: z.string(),
          errorLog: z.string(),
          watch: z.string(),
        })
        .loose(),
      run: async (a: RunStartArgs) => (await import('./run-start.js')).runStart(ctx, a, settings.runStart),
    },
    {
      name: 'runs_list',
      description: 'The runs of this repository, newest first: id, status, goal, tasks done, cost.',
      input: {},
      output: z.object({
        runs: z.array(
          z
            .object({
              id: z.string(),
              status: z.string(),
              goal: z.string(),
              done: z.number(),
              total: z.number(),
            })
            .loose(),
        ),
      }),
      run: async () => (await hubTools()).runsList(ctx),
    },
    {
      name: 'run_status',
      description:
        'Where a run stands: state (running, interrupted, succeeded…), tasks with status and wave, merged work, open fixes, cost so far, and the command that resumes it.',
      input: { runId },
      output: z
        .object({
          run: z.object({ id: z.string(), goal: z.string(), status: z.string() }).loose(),
          state: z.string(),
          tasks: z.array(z.object({ id: z.string(), status: z.string() }).loose()),
          merged: z.array(z.string()),
          openFixes: z.array(anyObject),
          resume: z.string().nullable(),
        })
        .loose(),
      run: async (a: { runId?: string | undefined }) => (await hubTools()).runStatus(ctx, a),
    },
    {
      name: 'run_report',
      description:
        "A run's report: tokens, cost and time per layer and task, packets against full context, conflicts and fixes (JSON as structured content, Markdown as text).",
      input: { runId },
      output: anyObject,
      run: async (a: { runId?: string | undefined }) => (await hubTools()).runReport(ctx, a),
    },
    {
      name: 'validate',
      description:
        'Validate branches made by any means (your own subagents included) against a plan: merge train, contract check, type check, success criteria, races, excluded dependencies. Or validate a run of the hub with runId. ok=false lists the issues.',
      input: {
        plan: z.string().min(1).optional().describe('the plan the branches implement'),
        tasks: z
          .array(z.object({ taskId: z.string().min(1), ref: z.string().min(1) }))
          .optional()
          .describe('each task of the plan and the git ref holding its work'),
        base: z.string().min(1).optional().describe('where the integration starts (default HEAD)'),
        runId: z.string().min(1).optional().describe("validate a run's completed tasks instead"),
        noMerge: z.boolean().optional().describe('check in a temporary checkout, write no branch'),
      },
      output: z.object({ ok: z.boolean(), progress: z.array(z.string()) }).loose(),
      run: async (a: ValidateArgs) => (await workTools()).validateTool(ctx, a),
    },
    {
      name: 'task_context',
      description:
        "The context packet a task's specialist starts with: role, files, criteria, contracts, decisions, dependency handoffs, fitted to a token budget, with what was left out.",
      input: {
        planFile: z.string().min(1),
        taskId: z.string().min(1),
        budget: positiveInt.optional().describe('token budget (default 8000)'),
        runId: z.string().min(1).optional(),
      },
      output: z.object({ text: z.string(), tokens: z.number(), budget: z.number() }).loose(),
      run: async (a: Parameters<Awaited<ReturnType<typeof workTools>>['taskContextTool']>[1]) =>
        (await workTools()).taskContextTool(ctx, a),
    },
    {
      name: 'hub_contracts',
      description: 'The interface contracts of a run, latest version of each (kind, owner, definition).',
      input: { runId },
      output: z.object({ runId: z.string(), contracts: z.array(anyObject) }),
      run: async (a: { runId?: string | undefined }) => (await hubTools()).hubContracts(ctx, a),
    },
    {
      name: 'hub_decisions',
      description: 'The architecture decisions of a run (from the plan, the tasks and the user).',
      input: { runId },
      output: z.object({ runId: z.string(), decisions: z.array(anyObject) }),
      run: async (a: { runId?: string | undefined }) => (await hubTools()).hubDecisions(ctx, a),
    },
    {
      name: 'hub_handoffs',
      description:
        'The handoff envelopes of a run (what each task changed, exported, needs and left to do), optionally of one task.',
      input: { runId, taskId: z.string().min(1).optional() },
      output: z.object({ runId: z.string(), handoffs: z.array(anyObject) }),
      run: async (a: { runId?: string | undefined; taskId?: string | undefined }) =>
        (await hubTools()).hubHandoffs(ctx, a),
    },
    {
      name: 'leases',
      description:
        'File-ownership leases in the hub: which task of which run holds which paths, and whether each is live. A live lease means: do not edit those files now.',
      input: { runId },
      output: z.object({
        leases: z.array(
          z.object({ runId: z.string(), taskId: z.string(), pattern: z.string(), live: z.boolean() }).loose(),
        ),
      }),
      run: async (a: { runId?: string | undefined }) => (await hubTools()).leasesList(ctx, a),
    },
  ] as const;
}

/** Tool names, in listing order. */
export const MCP_TOOL_NAMES = [
  'plan_check',
  'plan_show',
  'run_start',
  'runs_list',
  'run_status',
  'run_report',
  'validate',
  'task_context',
  'hub_contracts',
  'hub_decisions',
  'hub_handoffs',
  'leases',
] as const;

/** A tool error with the CLI's message (`orchestra: …`); unexpected errors say so. */
export function toolError(e: unknown): CallToolResult {
  const text = isOrchestraError(e)
    ? `orchestra: ${e.message}`
    : `orchestra: unexpected error: ${e instanceof Error ? e.message : String(e)}`;
  return { content: [{ type: 'text', text }], isError: true };
}

async function answer(fn: () => ToolResult | Promise<ToolResult>): Promise<CallToolResult> {
  try {
    const r = await fn();
    // Claude Code hands the model the structured content (not the text) when there is one, so the
    // CLI's rendering travels inside it too: `display` is what a command shows the user as it is.
    return {
      content: [{ type: 'text', text: r.text }],
      structuredContent: { ...r.structured, display: r.text },
    };
  } catch (e) {
    return toolError(e);
  }
}

/** The Orchestra MCP server: plans, runs, validation and the hub as typed tools. Not yet connected. */
export function createOrchestraMcpServer(settings: OrchestraMcpSettings): McpServer {
  const env = settings.env ?? process.env;
  const ctx: McpContext = { cwd: settings.cwd, env, homeDir: settings.homeDir ?? (env.HOME || homedir()) };
  const server = new McpServer({ name: MCP_SERVER_NAME, version: settings.version ?? '0.1.0' });
  for (const t of toolTable(ctx, settings)) {
    const run = t.run as (a: unknown) => ToolResult | Promise<ToolResult>;
    server.registerTool(
      t.name,
      { description: t.description, inputSchema: t.input, outputSchema: t.output.extend({ display }) },
      (a: unknown) => answer(() => run(a)),
    );
  }
  return server;
}

/**
 * Serve over stdio until the client closes: stdout carries only the protocol, so anything a
 * library would print there goes to stderr instead.
 */
export async function serveStdio(settings: OrchestraMcpSettings): Promise<void> {
  const server = createOrchestraMcpServer(settings);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.on('end', () => resolve());
  });
  console.log = console.error;
  console.info = console.error;
  await server.connect(transport);
  await closed;
  await server.close();
}
