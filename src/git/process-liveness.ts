import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds something: enough to tell later whether that process still runs. */
export interface ProcessStamp {
  pid: number;
  host: string;
  /** Kernel start time of the process (Linux), so a reused pid is not mistaken for the holder. */
  start?: string | undefined;
}

/** The stamp of process `pid` on this host (the current process by default). */
export function processStamp(pid: number = process.pid): ProcessStamp {
  const start = processStartToken(pid);
  return start === undefined ? { pid, host: hostname() } : { pid, host: hostname(), start };
}

/**
 * The start time of a process as the kernel records it (field 22 of /proc/<pid>/stat), or
 * undefined where /proc does not exist or the process is gone.
 */
export function processStartToken(pid: number): string | undefined {
  return readStat(pid)?.[19];
}

/** The fields of /proc/<pid>/stat from the third (state) on, or undefined without /proc. */
function readStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ")".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * True while the stamped process runs. A stamp from another host cannot be checked and counts as
 * alive (keeping is the safe side); so does a process we may not signal (EPERM).
 */
export function isProcessAlive(stamp: ProcessStamp): boolean {
  if (stamp.host !== hostname()) return true;
  try {
    process.kill(stamp.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const stat = readStat(stamp.pid);
  // A zombie (killed, not yet reaped by its parent) still answers kill(0) but runs nothing.
  if (stat?.[0] === 'Z') return false;
  if (stamp.start === undefined || stat === undefined) return true;
  return stat[19] === stamp.start;
}
