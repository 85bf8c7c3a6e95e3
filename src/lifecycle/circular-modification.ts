import { shortHash, type Verdict } from './verdict.js';

/** Content history of one file, oldest first (`null` = absent). */
export type FileHistory = Array<string | null>;

/**
 * Detects circular modification: a file whose content returns to an earlier state after changing
 * (A→B→A, or A→B→C→A). A change to the current content is not a change. Returning to "absent" is
 * not counted: creating a scratch file and deleting it again is normal work.
 */
export interface CircularModificationDetector {
  /**
   * Record a new content hash of `path`: `changed` is false when it equals the current content;
   * `verdict` terminates when it repeats an earlier state.
   */
  record(path: string, sha256: string | null): { changed: boolean; verdict: Verdict | null };
  /** Content history per path, oldest first, adjacent duplicates removed. */
  histories(): Record<string, FileHistory>;
}

/** Settings: `baseline(path)` gives the content hash before the attempt (undefined = unknown). */
export interface CircularModificationSettings {
  baseline?: (path: string) => string | null | undefined;
}

/** A detector of A→B→A content cycles per path. */
export function createCircularModificationDetector(
  settings: CircularModificationSettings = {},
): CircularModificationDetector {
  const files = new Map<string, FileHistory>();
  return {
    record(path, sha256) {
      let history = files.get(path);
      if (!history) {
        const base = settings.baseline?.(path);
        history = base === undefined ? [] : [base];
        files.set(path, history);
      }
      if (history.length > 0 && history[history.length - 1] === sha256)
        return { changed: false, verdict: null };
      const earlier = sha256 === null ? -1 : history.lastIndexOf(sha256);
      history.push(sha256);
      if (earlier < 0) return { changed: true, verdict: null };
      const states = history.slice(earlier);
      return {
        changed: true,
        verdict: {
          action: 'terminate',
          reason: 'loop',
          detail: `${path} returned to an earlier content after changing (${states.map(shortHash).join(' → ')})`,
          evidence: { kind: 'circular-modification', path, states },
        },
      };
    },
    histories: () => Object.fromEntries([...files].map(([p, h]) => [p, [...h]])),
  };
}

/** True when the content sequence of one file contains a return to an earlier state (pure form). */
export function hasCircularModification(states: ReadonlyArray<string | null>): boolean {
  const d = createCircularModificationDetector();
  return states.some((s) => d.record('file', s).verdict !== null);
}
