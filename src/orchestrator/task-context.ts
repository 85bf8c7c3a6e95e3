import { existsSync } from 'node:fs';
import type { AgentDefinition, Plan } from '../domain/index.js';
import { UserError } from '../errors.js';
import {
  buildPacket,
  type ContextPacket,
  type Hub,
  hubPath,
  loadProjectMemory,
  openHub,
} from '../hub/index.js';
import { readPlanText } from './plan-check.js';
import { loadPlanText, planFormatOf } from './plan-load.js';
import { formatPlanProblem } from './plan-problem.js';

/** Settings of `taskContext` (what `orchestra task context` does, without the terminal). */
export interface TaskContextSettings {
  /** Absolute plan file path; `planLabel` names it in messages. */
  planPath: string;
  planLabel: string;
  taskId: string;
  repoRoot: string;
  budget?: number;
  /** A run of the hub to read; default: the newest run whose plan has this task. */
  runId?: string;
  /** Resolve the task's agent definition (undefined when there is none). */
  findAgent?: (name: string) => AgentDefinition | undefined;
}

/** The packet and where its parts came from. */
export interface TaskContext {
  packet: ContextPacket;
  /** The hub run read, or null for a plan-only packet. */
  runId: string | null;
  /** The agent definition's path, or null when none was found. */
  agentSource: string | null;
  notes: string[];
}

/** Build a task's context packet from a plan file and, when the repository has one, its hub. */
export async function taskContext(s: TaskContextSettings): Promise<TaskContext> {
  const plan = readPlan(s.planPath, s.planLabel);
  const task = plan.tasks.find((t) => t.id === s.taskId);
  if (!task)
    throw new UserError(
      'unknown-task',
      `${s.planLabel} has no task "${s.taskId}"; its tasks are: ${plan.tasks.map((t) => t.id).join(', ')}`,
    );
  const notes: string[] = [];
  const agent = s.findAgent?.(task.agent);
  if (s.findAgent && !agent)
    notes.push(`agent "${task.agent}" not found (orchestra agents list): the packet has no role section`);

  const path = hubPath(s.repoRoot);
  let hub: Hub | undefined;
  if (existsSync(path)) hub = openHub({ path });
  else if (s.runId !== undefined)
    throw new UserError(
      'no-hub',
      `--run ${s.runId} given, but ${path} does not exist: no run has been recorded here`,
    );
  try {
    const runId = hub ? pickRun(hub, s.runId, task.id, notes) : null;
    const packet = await buildPacket({
      plan,
      taskId: task.id,
      ...(agent ? { agent } : {}),
      ...(hub && runId !== null ? { hub: { hub, runId } } : {}),
      ...(s.budget === undefined ? {} : { budget: s.budget }),
      memory: loadProjectMemory({ root: s.repoRoot }),
    });
    return { packet, runId, agentSource: agent?.source.path ?? null, notes };
  } finally {
    hub?.close();
  }
}

function pickRun(hub: Hub, runId: string | undefined, taskId: string, notes: string[]): string | null {
  if (runId !== undefined) return hub.runs.require(runId).id;
  const run = hub.runs.list().find((r) => r.plan?.tasks.some((t) => t.id === taskId));
  if (!run) notes.push('the hub has no run with this task: the packet comes from the plan alone');
  return run?.id ?? null;
}

function readPlan(path: string, label: string): Plan {
  const text = readPlanText(path, label);
  // Syntax and schema only: a packet is still useful for a plan whose graph has other problems.
  const loaded = loadPlanText(text, planFormatOf(label));
  if (!loaded.success) {
    const lines = loaded.problems
      .filter((p) => p.severity === 'error')
      .map((p) => `  ${formatPlanProblem(label, p)}`)
      .join('\n');
    throw new UserError(
      'invalid-plan',
      `${label} is not a valid plan:\n${lines}\n\`orchestra plan check ${label}\` lists every problem.`,
    );
  }
  return loaded.value.plan;
}
