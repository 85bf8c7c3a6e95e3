import { isPidAlive, LIVE_TASK_STATUSES } from '../hub/index.js';
// The read side of run/: the CLI's status, runs and report commands use these same helpers.
import {
  buildReport,
  buildStatus,
  listRuns,
  noRuns,
  openRunsHub,
  pickRun,
  renderReport,
  renderRuns,
  renderStatus,
  runLiveness,
} from '../run/read.js';
import type { McpContext, ToolResult } from './types.js';

type RunsHub = ReturnType<typeof openRunsHub>;

const plain = { bold: id, dim: id, red: id, green: id, yellow: id, cyan: id };
function id(s: string): string {
  return s;
}

/** Open the repository's hub for one call, always closing it. */
async function withHub<T>(ctx: McpContext, fn: (h: RunsHub) => T | Promise<T>): Promise<T> {
  const h = openRunsHub(ctx.cwd);
  try {
    return await fn(h);
  } finally {
    h.hub.close();
  }
}

/** `runs_list`: the runs of this repository, newest first (`orchestra runs --json`). */
export function runsList(ctx: McpContext): Promise<ToolResult> {
  return withHub(ctx, ({ hub, root }) => {
    const runs = listRuns(hub);
    if (runs.length === 0) throw noRuns(root);
    return { structured: { runs }, text: renderRuns(runs, 100, plain) };
  });
}

/** `run_status`: where a run stands (`orchestra status --json`). */
export function runStatus(ctx: McpContext, args: { runId?: string | undefined }): Promise<ToolResult> {
  return withHub(ctx, async ({ hub, root }) => {
    const runId = pickRun(hub, root, args.runId);
    const running = hub.runs.require(runId).status === 'running';
    const liveness = running ? await runLiveness(root, runId, ctx.env) : 'unknown';
    const view = buildStatus(hub, runId, liveness);
    return { structured: { ...view }, text: renderStatus(view, plain) };
  });
}

/** `run_report`: tokens, cost and time per layer and task (`orchestra report --format json`). */
export function runReport(ctx: McpContext, args: { runId?: string | undefined }): Promise<ToolResult> {
  return withHub(ctx, ({ hub, root }) => {
    const report = buildReport(hub, pickRun(hub, root, args.runId));
    return {
      structured: JSON.parse(renderReport(report, 'json')) as Record<string, unknown>,
      text: renderReport(report, 'md'),
    };
  });
}

/** `hub_contracts`: the latest version of every contract of a run. */
export function hubContracts(ctx: McpContext, args: { runId?: string | undefined }): Promise<ToolResult> {
  return withHub(ctx, ({ hub, root }) => {
    const runId = pickRun(hub, root, args.runId);
    const contracts = hub.contracts.list(runId);
    const text = contracts.length
      ? contracts
          .map((c) => `## ${c.id} v${c.version} (${c.kind}, owner ${c.owner})\n${c.definition}`)
          .join('\n\n')
      : `run ${runId} has no contracts`;
    return { structured: { runId, contracts }, text };
  });
}

/** `hub_decisions`: the architecture decisions of a run (plan, tasks and user). */
export function hubDecisions(ctx: McpContext, args: { runId?: string | undefined }): Promise<ToolResult> {
  return withHub(ctx, ({ hub, root }) => {
    const runId = pickRun(hub, root, args.runId);
    const decisions = hub.decisions.list(runId);
    const text = decisions.length
      ? decisions
          .map((d) => `- ${d.id}: ${d.decision}${d.rationale ? ` (${d.rationale})` : ''} [${d.source}]`)
          .join('\n')
      : `run ${runId} has no decisions`;
    return { structured: { runId, decisions }, text };
  });
}

/** `hub_handoffs`: the handoff envelopes tasks left (on completion, or when an attempt was stopped). */
export function hubHandoffs(
  ctx: McpContext,
  args: { runId?: string | undefined; taskId?: string | undefined },
): Promise<ToolResult> {
  return withHub(ctx, ({ hub, root }) => {
    const runId = pickRun(hub, root, args.runId);
    const taskIds =
      args.taskId !== undefined ? [args.taskId] : [...new Set(hub.tasks.list(runId).map((t) => t.id))];
    const handoffs = taskIds.flatMap((t) => hub.handoffs.forTask(runId, t));
    const text = handoffs.length
      ? handoffs
          .map((h) => `## ${h.taskId} (${h.createdAt})\n${JSON.stringify(h.handoff, null, 2)}`)
          .join('\n\n')
      : `run ${runId} has no handoffs${args.taskId ? ` of task ${args.taskId}` : ''}`;
    return { structured: { runId, handoffs }, text };
  });
}

/**
 * `leases`: the file-ownership leases stored in the hub, each marked live or not (expired, or its
 * process gone). Read only: dead leases are released by the next run, not by a reader.
 */
export function leasesList(ctx: McpContext, args: { runId?: string | undefined }): Promise<ToolResult> {
  return withHub(ctx, ({ hub }) => {
    const now = Date.now();
    const leases = hub.leases.list(args.runId === undefined ? {} : { runId: args.runId }).map((l) => {
      const task = hub.tasks.get(l.runId, l.taskId);
      const live =
        l.expiresAt > now &&
        isPidAlive(l.pid) &&
        (task === undefined || LIVE_TASK_STATUSES.includes(task.status));
      return { ...l, expiresAt: new Date(l.expiresAt).toISOString(), live };
    });
    const text = leases.length
      ? leases
          .map(
            (l) =>
              `${l.pattern}  task ${l.taskId} of run ${l.runId}  ${l.live ? 'live' : 'dead'} (pid ${l.pid}, expires ${l.expiresAt})`,
          )
          .join('\n')
      : 'no leases are held';
    return { structured: { leases }, text };
  });
}
