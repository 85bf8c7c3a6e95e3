import type { Plan } from '../domain/index.js';
import type { ScheduleLimits, WavePlan } from '../scheduler/index.js';

/** A mermaid `graph TD` of the tasks, an arrow from each dependency to its dependent. */
export function planToMermaid(plan: Plan): string {
  const node = new Map(plan.tasks.map((t, i) => [t.id, `t${i}`]));
  const lines = ['graph TD'];
  plan.tasks.forEach((t, i) => {
    if (node.get(t.id) === `t${i}`) lines.push(`  t${i}["${mermaidText(t.id)}<br/>${mermaidText(t.agent)}"]`);
  });
  for (const t of plan.tasks)
    for (const d of t.dependsOn) {
      const from = node.get(d);
      if (from) lines.push(`  ${from} --> ${node.get(t.id)}`);
    }
  return `${lines.join('\n')}\n`;
}

const mermaidText = (s: string) =>
  s.replaceAll('"', '#quot;').replaceAll('<', '#lt;').replaceAll('>', '#gt;');

const n = (x: number) => x.toLocaleString('en-US');

/** The human view of a plan: goal, tasks, contracts, waves with their token totals, the graph. */
export function planToText(plan: Plan, schedule: WavePlan, limits: ScheduleLimits): string {
  const out: string[] = [`Goal: ${plan.goal}`, ''];
  const { decisions, constraints, excludedDependencies } = plan.architecture;
  if (decisions.length + constraints.length + excludedDependencies.length > 0) {
    out.push('Architecture');
    for (const d of decisions) out.push(`  ${d.id}: ${d.decision}`);
    for (const c of constraints) out.push(`  constraint: ${c}`);
    if (excludedDependencies.length > 0)
      out.push(`  excluded dependencies: ${excludedDependencies.join(', ')}`);
    out.push('');
  }
  out.push(`Tasks (${plan.tasks.length})`);
  out.push(
    ...table(
      ['id', 'agent', 'tokens', 'owns', 'depends on'],
      plan.tasks.map((t) => [
        t.id,
        t.agent,
        n(t.estimatedContextTokens),
        t.owns.join(', ') || '-',
        t.dependsOn.join(', ') || '-',
      ]),
    ),
    '',
  );
  if (plan.contracts.length > 0) {
    out.push(`Contracts (${plan.contracts.length})`);
    out.push(
      ...table(
        ['id', 'kind', 'owner', 'consumed by'],
        plan.contracts.map((c) => [
          c.id,
          c.kind,
          c.owner,
          plan.tasks
            .filter((t) => t.consumes.includes(c.id))
            .map((t) => t.id)
            .join(', ') || '-',
        ]),
      ),
      '',
    );
  }
  out.push(
    `Waves (${schedule.waves.length}; at most ${limits.maxParallel} tasks and ${n(limits.contextBudget)} tokens each)`,
  );
  out.push(
    ...table(
      ['wave', 'tokens', 'tasks'],
      schedule.waves.map((w) => [String(w.index), n(w.tokens), w.taskIds.join(', ')]),
    ),
  );
  for (const w of schedule.warnings) out.push(`  warning: ${w.message}`);
  out.push('', 'Graph (mermaid)', planToMermaid(plan));
  return out.join('\n');
}

/** Left-aligned columns, two spaces apart, indented by two; the last column is not padded. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}
