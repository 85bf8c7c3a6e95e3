import type { PacketSection } from './packet-sections.js';

/**
 * Which sections to leave out so the packet fits `budget`. First the lowest-priority sections are
 * dropped (later ones first among equals) until the packet fits; then any dropped section that
 * fits in the room left is put back, highest priority first — so one large section (a long agent
 * prompt) does not take every smaller one with it. Required sections are never dropped; if they
 * alone exceed the budget, everything else is dropped. `measure` counts the packet's tokens
 * without the dropped sections (the list of what was left out included).
 */
export function fitSections(
  sections: readonly PacketSection[],
  budget: number,
  measure: (dropped: ReadonlySet<PacketSection>) => number,
): Set<PacketSection> {
  const order = sections
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => !s.required)
    .sort((a, b) => a.s.priority - b.s.priority || b.i - a.i)
    .map(({ s }) => s);
  const dropped = new Set<PacketSection>();
  let tokens = measure(dropped);
  for (const s of order) {
    if (tokens <= budget) break;
    dropped.add(s);
    tokens = measure(dropped);
  }
  if (tokens > budget) return dropped;
  // Putting a tiny section back can shrink the packet (its line in the left-out list goes), so
  // repeat until nothing more fits.
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of [...order].reverse()) {
      if (!dropped.has(s)) continue;
      dropped.delete(s);
      if (measure(dropped) > budget) dropped.add(s);
      else changed = true;
    }
  }
  return dropped;
}
