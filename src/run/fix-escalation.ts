import type { Finding } from '../validator/index.js';
import type { EngineContext } from './engine-context.js';
import type { TaskRunOutcome } from './task-runner.js';

/**
 * What a specialist says when a problem is not in its files: "outside my ownership", "I don't own
 * src/x", "owned by another task", "not within the files this task may edit".
 */
const OUTSIDE = [
  /\b(?:outside|beyond|not (?:in|within|part of))\s+(?:of\s+)?(?:my|its|the|this)\s+(?:task'?s?\s+)?(?:ownership|owned files|scope|files? (?:i|it|this task) (?:may|can) (?:edit|change|write))/i,
  /\b(?:do not|don't|cannot|can't|may not|am not allowed to)\s+(?:own|modify|edit|change|write(?: to)?|touch)\b[^.]*\b(?:own|ownership|owned)/i,
  /\bnot owned by (?:me|this task|the task)\b/i,
  /\bowned by (?:another|a different|no) task\b/i,
  /\b(?:i|this task) (?:do(?:es)? not|don't) own\b/i,
];

/**
 * Why a fix attempt could not act on its fixes, or undefined when it could: it changed nothing
 * and its result (or its failure) says the problem lies outside its ownership, or its writes
 * there were refused.
 */
export function outsideOwnership(out: TaskRunOutcome): string | undefined {
  if (out.commit !== null) return undefined;
  const said = [out.result?.summary, ...(out.result?.notes ?? []), out.reason].filter(
    (x): x is string => typeof x === 'string' && x.length > 0,
  );
  const claim = said.find((s) => OUTSIDE.some((r) => r.test(s)));
  if (claim) return claim.replace(/\s+/g, ' ').trim().slice(0, 400);
  const refused = out.denied.filter((d) => d.path !== undefined);
  if (refused.length > 0)
    return `its writes to ${[...new Set(refused.map((d) => d.path))].join(', ')} were refused (outside its ownership) and it changed nothing`;
  return undefined;
}

/** The stop reason when a new failure is in files no task owns: what failed, and what to do. */
export function unownedReason(ctx: EngineContext, findings: readonly Finding[]): string {
  const what = findings
    .slice(0, 3)
    .map((f) => {
      const files = f.details.find((d) => d.startsWith('it fails in files no task owns: '));
      return `${f.title}${files ? ` (${files.slice('it fails in '.length)})` : f.location ? ` (${f.location.file}, owned by no task)` : ''}`;
    })
    .join('; ');
  return `a new failure is in files no task owns, so no task was sent to fix it: ${what}${findings.length > 3 ? ` and ${findings.length - 3} more` : ''}. Fix it on your branch (or give a task ownership of those files in the plan), then resume: orchestra run --resume ${ctx.runId}`;
}

/** The stop reason when fixes were escalated because their owners could not act on them. */
export function escalationReason(ctx: EngineContext): string | undefined {
  const escalated = ctx.hub.events
    .list({ runId: ctx.runId, type: 'fix.escalated' })
    .flatMap((e) => (e.type === 'fix.escalated' ? [e] : []));
  if (escalated.length === 0) return undefined;
  const lines = escalated.map((e) => `${e.owner}: "${e.reason}"`).join('; ');
  return `a fix was not sent again because its owner could not act on it (${lines}). Fix it on your branch or re-plan who owns those files, then resume: orchestra run --resume ${ctx.runId}`;
}
