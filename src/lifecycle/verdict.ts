/** What the monitor advises after an event. */
export type VerdictAction = 'continue' | 'warn' | 'terminate';

/** Why an agent is warned or terminated: one reason per verdict. */
export type VerdictReason = 'context' | 'failures' | 'loop';

/** The figures behind a verdict, for the hub and the handoff. */
export type VerdictEvidence =
  | { kind: 'context'; tokens: number; window: number; ratio: number }
  | { kind: 'failures'; count: number; failures: string[] }
  | { kind: 'circular-modification'; path: string; states: Array<string | null> }
  | { kind: 'repeated-tool-call'; tool: string; input: string; count: number };

/** The monitor's answer: continue, warn, or terminate, and why (a human sentence naming the figures). */
export interface Verdict {
  action: VerdictAction;
  reason?: VerdictReason;
  detail: string;
  evidence?: VerdictEvidence;
}

/** A plain "continue" verdict. */
export function continueVerdict(detail = 'no lifecycle rule fired'): Verdict {
  return { action: 'continue', detail };
}

/** Short form of a content hash for human text. */
export function shortHash(sha256: string | null): string {
  return sha256 === null ? '(deleted)' : sha256.slice(0, 8);
}
