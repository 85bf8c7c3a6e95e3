/** Shared number, money and time formatting of reports, status and progress: deterministic, locale-free. */

/** 15000 → "15,000". */
export function formatInt(n: number): string {
  const s = Math.round(Math.abs(n)).toString();
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${grouped}` : grouped;
}

/** 0.12345 → "$0.1235". */
export function formatUsd(n: number): string {
  return `$${n.toFixed(4)}`;
}

/** Milliseconds as "850ms", "12.3s", "4m 05s" or "1h 02m"; null → "—". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 3600) {
    const m = Math.floor(totalSeconds / 60);
    return `${m}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const h = Math.floor(totalSeconds / 3600);
  return `${h}h ${String(Math.floor((totalSeconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** The article's comparison: "650 vs 15,000 tokens (4.3%)"; without a full-context figure, just the packet. */
export function formatPacketRatio(packetTokens: number, fullContextTokens: number | null): string {
  if (fullContextTokens === null) return `${formatInt(packetTokens)} tokens (full context not measured)`;
  return `${formatInt(packetTokens)} vs ${formatInt(fullContextTokens)} tokens (${formatPercent(packetTokens, fullContextTokens)})`;
}

/** part / whole as "4.3%", or "—" when whole is 0. */
export function formatPercent(part: number, whole: number): string {
  if (whole === 0) return '—';
  const p = (part / whole) * 100;
  return `${p >= 10 ? p.toFixed(0) : p.toFixed(1)}%`;
}

/** Milliseconds between two ISO timestamps, or null when either is missing or unreadable. */
export function msBetween(from: string | undefined, to: string | undefined): number | null {
  if (from === undefined || to === undefined) return null;
  const a = Date.parse(from);
  const b = Date.parse(to);
  return Number.isNaN(a) || Number.isNaN(b) ? null : Math.max(0, b - a);
}

/** A live clock: "0:07", "1:04", "1:02:03" (whole seconds, so a redraw each second is enough). */
export function formatClock(ms: number | null): string {
  if (ms === null) return '-';
  const t = Math.floor(Math.max(0, ms) / 1000);
  const ss = String(t % 60).padStart(2, '0');
  if (t < 3600) return `${Math.floor(t / 60)}:${ss}`;
  return `${Math.floor(t / 3600)}:${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}:${ss}`;
}
