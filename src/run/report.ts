import type { Hub, StoredEvent, UsageRecord } from '../hub/index.js';
import { attemptTiming } from './report-attempts.js';
import { msBetween } from './report-format.js';
import {
  type BaselineReport,
  type LayerReport,
  type PacketFigures,
  REPORT_LAYERS,
  REPORT_VERSION,
  type RunReport,
  type TaskReport,
  type TokenFigures,
  type WaveReport,
} from './report-types.js';

/** The parts of the hub a report reads. */
export type ReportHub = Pick<Hub, 'runs' | 'tasks' | 'events' | 'usage' | 'conflicts' | 'fixes'>;

/** Sum usage rows in their stored order (so a float sum equals the same rows summed elsewhere). */
export function sumUsage(rows: readonly UsageRecord[]): TokenFigures {
  const t: TokenFigures = {
    calls: 0,
    inputTokens: 0,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
    outputTokens: 0,
    totalTokens: 0,
    costUsd: 0,
  };
  for (const r of rows) {
    t.calls++;
    t.inputTokens += r.inputTokens;
    t.cacheCreationInputTokens += r.cacheCreationInputTokens;
    t.cacheReadInputTokens += r.cacheReadInputTokens;
    t.outputTokens += r.outputTokens;
    t.costUsd += r.costUsd;
  }
  t.totalTokens = t.inputTokens + t.cacheCreationInputTokens + t.cacheReadInputTokens + t.outputTokens;
  return t;
}

/**
 * Read a run's token economics from the hub: per layer, per task (attempts, terminations, packet
 * against full context), waves, conflicts, fixes, tokens per merged task and, when the engine ran
 * one, the single-agent baseline. Pure data: renderers format it. Throws for an unknown run.
 */
export function buildReport(hub: ReportHub, runId: string): RunReport {
  const run = hub.runs.require(runId);
  const usage = hub.usage.list(runId);
  const events = hub.events.list({ runId });
  const rows = hub.tasks.list(runId);
  const conflicts = hub.conflicts.list(runId);
  const fixes = hub.fixes.list(runId);

  const baselineRows = usage.filter((u) => u.layer === 'baseline');
  const planIds = new Set(run.plan?.tasks.map((t) => t.id) ?? []);
  const baselineIds = baselineTaskIds(usage, planIds);

  const eventsOf = groupBy(events, (e) => e.taskId);
  const usageOf = groupBy(usage, (u) => u.taskId);

  const ids = [...planIds, ...rows.map((r) => r.id).filter((id) => !planIds.has(id) && !baselineIds.has(id))];
  const tasks: TaskReport[] = ids.map((id) => {
    const row = rows.find((r) => r.id === id);
    const planned = run.plan?.tasks.find((t) => t.id === id);
    const own = eventsOf.get(id) ?? [];
    const timing = attemptTiming(own);
    return {
      id,
      agent: row?.agent ?? planned?.agent ?? '',
      status: row?.status ?? 'pending',
      wave: row?.wave ?? waveOf(events, id),
      branch: row?.branch ?? null,
      attempts: row?.attempts ?? 0,
      usage: sumUsage((usageOf.get(id) ?? []).filter((u) => u.layer !== 'baseline')),
      timeMs: timing.timeMs,
      attemptLog: timing.attempts,
      reason: row?.reason ?? null,
      packet: latestPacket(own),
      conflicts: conflicts.filter((c) => c.tasks.includes(id)).length,
      fixes: fixes.filter((f) => f.ownerTask === id).length,
      setup: worktreeSetup(own),
    };
  });

  const waves = waveReports(events);
  const layers: LayerReport[] = REPORT_LAYERS.map((layer) => ({
    layer,
    ...sumUsage(usage.filter((u) => u.layer === layer)),
    timeMs: layerTime(layer, tasks, waves, events),
  }));
  const orchestrated = sumUsage(usage.filter((u) => u.layer !== 'baseline'));
  const merged = tasks.filter((t) => t.status === 'merged').map((t) => t.id);
  const started = events.find((e) => e.type === 'run.started');
  const finished = events.findLast((e) => e.type === 'run.finished');
  const runTime =
    msBetween(started?.at, finished?.at) ?? (finished ? null : msBetween(run.createdAt, run.updatedAt));
  const measured = tasks.flatMap((t) =>
    t.packet && t.packet.fullContextTokens !== null
      ? [t.packet as PacketFigures & { fullContextTokens: number }]
      : [],
  );
  const budget = events.findLast((e) => e.type === 'budget.exceeded');
  const roundOf = new Map(
    events.flatMap((e) => (e.type === 'fix.created' ? [[e.fixId, e.round] as const] : [])),
  );
  const sandboxNote = events.findLast((e) => e.type === 'note' && e.text.startsWith('sandbox:'));

  return {
    version: REPORT_VERSION,
    run: {
      id: run.id,
      goal: run.goal,
      status: run.status,
      baseCommit: run.baseCommit,
      createdAt: run.createdAt,
      updatedAt: run.updatedAt,
      timeMs: runTime,
      // A resumed run that is running again has no end reason yet: the last one is stale.
      reason:
        finished?.type === 'run.finished' && run.status !== 'running' ? (finished.reason ?? null) : null,
      ...(sandboxNote?.type === 'note' ? { sandbox: sandboxNote.text.slice('sandbox: '.length) } : {}),
    },
    layers,
    total: { ...orchestrated, timeMs: runTime },
    tasks,
    waves,
    merged,
    tokensPerMergedTask: merged.length ? orchestrated.totalTokens / merged.length : null,
    costPerMergedTask: merged.length ? orchestrated.costUsd / merged.length : null,
    context: {
      tasks: measured.length,
      packetTokens: measured.reduce((s, p) => s + p.tokens, 0),
      fullContextTokens: measured.reduce((s, p) => s + p.fullContextTokens, 0),
    },
    conflicts: conflicts.map((c) => ({
      id: c.id,
      kind: c.kind,
      files: c.files,
      tasks: c.tasks,
      detail: c.detail,
    })),
    fixes: fixes.map((f) => ({
      id: f.id,
      ownerTask: f.ownerTask,
      description: f.description,
      source: f.source,
      status: f.status,
      round: roundOf.get(f.id) ?? null,
    })),
    // Runs from before fix.round events still name each fix's round.
    fixRounds: Math.max(events.filter((e) => e.type === 'fix.round').length, ...roundOf.values(), 0),
    escalations: events.flatMap((e) =>
      e.type === 'fix.escalated' ? [{ owner: e.owner, to: e.to, reason: e.reason, fixIds: e.fixIds }] : [],
    ),
    base: baseOf(events, fixes),
    findings: distinctFindings(events),
    budgetExceeded:
      budget?.type === 'budget.exceeded' ? { spentUsd: budget.spentUsd, budgetUsd: budget.budgetUsd } : null,
    baseline: baselineRows.length ? baselineReport(baselineRows, [...baselineIds], eventsOf, rows) : null,
  };
}

/** Tasks of the single-agent baseline (usage of layer `baseline`): not part of the orchestration unless planned. */
export function baselineTaskIds(usage: readonly UsageRecord[], planIds: ReadonlySet<string>): Set<string> {
  const ids = new Set<string>();
  for (const u of usage)
    if (u.layer === 'baseline' && u.taskId !== null && !planIds.has(u.taskId)) ids.add(u.taskId);
  return ids;
}

function baselineReport(
  rows: readonly UsageRecord[],
  taskIds: string[],
  eventsOf: Map<string | null, StoredEvent[]>,
  tasks: ReturnType<ReportHub['tasks']['list']>,
): BaselineReport {
  let timeMs: number | null = null;
  let result: string | null = null;
  for (const id of taskIds) {
    const timing = attemptTiming(eventsOf.get(id) ?? []);
    if (timing.timeMs !== null) timeMs = (timeMs ?? 0) + timing.timeMs;
    result = tasks.find((t) => t.id === id)?.status ?? timing.attempts.at(-1)?.outcome ?? result;
  }
  return { usage: sumUsage(rows), timeMs, result, taskIds };
}

function worktreeSetup(events: readonly StoredEvent[]): TaskReport['setup'] {
  const ready = events.flatMap((e) => (e.type === 'worktree.ready' ? [e] : []));
  const last = ready.at(-1);
  if (!last) return null;
  return {
    kind: last.setup,
    command: ready.findLast((e) => e.command)?.command ?? null,
    ok: ready.every((e) => e.ok),
    ms: ready.reduce((sum, e) => sum + e.ms, 0),
    dependencies: last.dependencies,
  };
}

/**
 * The latest base check. A check that failed on the base but was sent as a fix anyway (it failed
 * differently after the merges) is set apart from those never sent: one finding, one section.
 */
function baseOf(
  events: readonly StoredEvent[],
  fixes: ReturnType<ReportHub['fixes']['list']>,
): RunReport['base'] {
  const e = events.findLast((x) => x.type === 'validation.base');
  if (e?.type !== 'validation.base') return null;
  const fixIdsOf = (command: string) =>
    fixes
      .filter((f) => f.source === 'criterion' && criterionCommandOf(f.description) === command)
      .map((f) => f.id);
  const failing: string[] = [];
  const sent: Array<{ failing: string; fixIds: number[] }> = [];
  for (const line of e.failing) {
    const command = /^`([\s\S]+)` (?:exited with|timed out after) .* on the base\b/.exec(line)?.[1];
    const ids = command === undefined ? [] : fixIdsOf(command);
    if (ids.length > 0) sent.push({ failing: line, fixIds: ids });
    else failing.push(line);
  }
  return {
    commit: e.base,
    typescript: e.typescript,
    typeErrors: e.typeErrors,
    criteria: e.criteria,
    failing,
    sent,
  };
}

/** The command of a criterion fix (its description's "- `npx vitest run` exited with 1" line). */
function criterionCommandOf(description: string): string | undefined {
  return /^- `([\s\S]+?)` (?:exited with|timed out after) /m.exec(description)?.[1];
}

/** Validation findings, each distinct one once (in first-seen order), counted over validations. */
function distinctFindings(events: readonly StoredEvent[]): RunReport['findings'] {
  const byKey = new Map<string, RunReport['findings'][number]>();
  for (const e of events) {
    if (e.type !== 'validation.finding') continue;
    const key = JSON.stringify([e.taskId, e.kind, e.severity, e.message]);
    const seen = byKey.get(key);
    if (seen) seen.count++;
    else
      byKey.set(key, { taskId: e.taskId, kind: e.kind, severity: e.severity, message: e.message, count: 1 });
  }
  return [...byKey.values()];
}

function latestPacket(events: readonly StoredEvent[]): PacketFigures | null {
  const e = events.findLast((x) => x.type === 'packet.built');
  if (e?.type !== 'packet.built') return null;
  return {
    attempt: e.attempt,
    tokens: e.tokens,
    budget: e.budget,
    fullContextTokens: e.fullContextTokens ?? null,
    omitted: e.omitted,
  };
}

function waveOf(events: readonly StoredEvent[], taskId: string): number | null {
  const e = events.findLast(
    (x) =>
      (x.type === 'wave.started' && x.tasks.includes(taskId)) ||
      (x.type === 'task.queued' && x.taskId === taskId),
  );
  if (e?.type === 'wave.started') return e.wave;
  return e?.type === 'task.queued' ? (e.wave ?? null) : null;
}

function waveReports(events: readonly StoredEvent[]): WaveReport[] {
  const out: WaveReport[] = [];
  for (const e of events) {
    if (e.type === 'wave.started')
      out.push({
        wave: e.wave,
        tasks: e.tasks,
        estimatedTokens: e.estimatedTokens,
        budget: e.budget,
        startedAt: e.at,
        finishedAt: null,
        timeMs: null,
        merged: [],
        failed: [],
      });
    else if (e.type === 'wave.finished') {
      const w = out.findLast((x) => x.wave === e.wave && x.finishedAt === null);
      if (!w) continue;
      w.finishedAt = e.at;
      w.timeMs = msBetween(w.startedAt, e.at);
      w.merged = e.merged;
      w.failed = e.failed;
    }
  }
  return out;
}

/**
 * Time of a layer. Specialists: their attempts summed. Validation: in strict waves, the synthesis
 * after a wave's last task ended until the wave finished; the orchestrator's, its planning rounds
 * (`plan.created`).
 */
function layerTime(
  layer: LayerReport['layer'],
  tasks: readonly TaskReport[],
  waves: readonly WaveReport[],
  events: readonly StoredEvent[],
): number | null {
  if (layer === 'specialist') {
    const timed = tasks.filter((t) => t.timeMs !== null);
    return timed.length ? timed.reduce((s, t) => s + (t.timeMs ?? 0), 0) : null;
  }
  if (layer === 'orchestrator') {
    const plans = events.filter((e) => e.type === 'plan.created');
    return plans.length
      ? plans.reduce((s, e) => s + (e.type === 'plan.created' ? e.durationMs : 0), 0)
      : null;
  }
  let total: number | null = null;
  for (const w of waves) {
    if (w.finishedAt === null) continue;
    const finishedAt = w.finishedAt;
    const lastEnd = events.findLast(
      (e) =>
        (e.type === 'task.finished' || e.type === 'task.failed' || e.type === 'task.terminated') &&
        e.taskId !== null &&
        w.tasks.includes(e.taskId) &&
        e.at >= w.startedAt &&
        e.at <= finishedAt,
    );
    const ms = msBetween(lastEnd?.at ?? w.startedAt, finishedAt);
    if (ms !== null && lastEnd) total = (total ?? 0) + ms;
  }
  return total;
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
