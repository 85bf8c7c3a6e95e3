import type { Handoff } from '../domain/index.js';

/**
 * The handoff as compact Markdown for the next attempt's context packet: focus first, then
 * constraints, interfaces, notes, dependencies and tests. Empty sections are left out.
 */
export function renderHandoffForPacket(handoff: Handoff): string {
  const { artifacts: a, nextAgentContext: next } = handoff;
  const lines: string[] = [`## Handoff from ${handoff.from}`, `To ${handoff.to}, ${handoff.timestamp}.`];
  if (next.focus) lines.push('', `**Focus:** ${next.focus}`);
  section(lines, 'Constraints', next.constraints);
  if (a.interfaces.length) {
    lines.push('', '**Interfaces already exported**', '```ts', ...a.interfaces, '```');
  }
  section(lines, 'Done and critical', a.implementationNotes.critical);
  section(lines, 'Optimizations', a.implementationNotes.optimization);
  section(lines, 'Limitations', a.implementationNotes.limitation);
  if (a.dependencies.length) lines.push('', `**Dependencies:** ${a.dependencies.join(', ')}`);
  section(lines, 'Test requirements', a.testRequirements);
  if (next.availableContextBudget !== undefined) {
    lines.push('', `**Context budget:** ${next.availableContextBudget} tokens`);
  }
  return `${lines.join('\n')}\n`;
}

function section(lines: string[], title: string, items: readonly string[]): void {
  if (items.length) lines.push('', `**${title}**`, ...items.map((i) => `- ${i}`));
}
