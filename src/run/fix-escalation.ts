import type { FixTask } from '../hub/index.js';
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
 * What a specialist says when it cannot act on a fix: the problem is environmental, not fixable,
 * not reproducible, pre-existing, or caused by something it may not change.
 */
const CANNOT = [
  /\benvironment(?:al(?:ly)?)?\b/i,
  /\b(?:cannot|can ?not|can't|could ?not|couldn't|unable to|impossible to|no way to)\s+(?:be\s+)?(?:fix|fixed|resolve|resolved|address|addressed|repair|act on|reproduce|reproduced|change|make it pass)\b/i,
  /\bnot\s+(?:fixable|reproducible|actionable|solvable|caused by|related to|something (?:i|this task) can)\b/i,
  /\b(?:does not|doesn't|did not|didn't) reproduce\b/i,
  /\bnothing\b.*\b(?:can|could) (?:fix|change|resolve)\b/i,
  /\b(?:will|would) not (?:change|fix|resolve)\b/i,
  /\bpre-?existing\b|\balready (?:fail(?:s|ed|ing)|broken) on the base\b/i,
  /\bno (?:code )?change (?:is |was )?(?:needed|required|possible|can fix)\b/i,
  /\bneeds? (?:a |an )?(?:writable|different|another|the user|human|manual)\b/i,
];
/** Weaker signs: the cause it found lies in the machine, not the code. */
const CAUSE = [
  /\bread-?only\b/i,
  /\bpermissions?\b|\bnot permitted\b|\bEACCES\b|\bEPERM\b|\bEROFS\b/i,
  /\bsandbox(?:ed)?\b|\bnetwork\b|\boffline\b/i,
  /\bpasses (?:here|locally|in (?:my|this|its) worktree)\b/i,
];
/** A sentence about something else than the fix it was sent ("Separately, `npm run lint` fails …"). */
const ASIDE = /^(?:separately|also|additionally|unrelated(?:ly)?|besides|by the way|note that|side note)\b/i;

/**
 * Why a fix attempt did not act on its fixes, or undefined when it did: a fix attempt that left
 * the task's tree as it was has not acted on them, whatever its words, so it is never sent again
 * with the same finding. The reason is the attempt's own: the sentence of its result (summary
 * first, then notes) or failure that explains why, preferring one about the fix it was sent
 * over an aside about something else; refused writes; or, without a word, that it changed nothing.
 */
export function couldNotAct(
  out: TaskRunOutcome,
  sent: readonly Pick<FixTask, 'description'>[] = [],
): string | undefined {
  if (out.treeChanged) return undefined;
  const texts = [out.result?.summary, ...(out.result?.notes ?? []), out.reason].filter(
    (x): x is string => typeof x === 'string' && x.trim().length > 0,
  );
  const sentences = texts.flatMap(sentencesOf);
  const about = fixSubjects(sent);
  let best: { text: string; score: number } | undefined;
  for (const text of sentences) {
    const strong = CANNOT.some((r) => r.test(text)) || OUTSIDE.some((r) => r.test(text));
    const weak = CAUSE.some((r) => r.test(text));
    if (!strong && !weak) continue;
    const ticked = [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    const related = about.some((a) => text.includes(a));
    const elsewhere = ASIDE.test(text) || (!related && ticked.length > 0 && about.length > 0);
    const score = (strong ? 3 : 1) + (related ? 1 : 0) - (elsewhere ? 3 : 0);
    if (!best || score > best.score) best = { text, score };
  }
  if (best) return clip(best.text);
  const refused = out.denied.filter((d) => d.path !== undefined);
  if (refused.length > 0)
    return `its writes to ${[...new Set(refused.map((d) => d.path))].join(', ')} were refused (outside its ownership) and it changed nothing`;
  const said = sentences[0];
  return said ? `it changed nothing; it said: ${clip(said)}` : 'it changed nothing and gave no reason';
}

/** The commands and files a fix is about (`npx vitest run --typecheck`, `src/a.ts`), to tell its reason from an aside. */
function fixSubjects(sent: readonly Pick<FixTask, 'description'>[]): string[] {
  const out = new Set<string>();
  for (const f of sent) {
    for (const m of f.description.matchAll(/`([^`\n]+)`/g)) out.add(m[1] as string);
    for (const m of f.description.matchAll(/^- (?:it names|it fails in files no task owns): (.+)$/gm))
      for (const file of (m[1] as string).split(', ')) out.add(file);
  }
  return [...out].filter((x) => x.length >= 4);
}

function sentencesOf(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?;])\s+(?=[A-Z`(])/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function clip(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 400 ? `${t.slice(0, 399)}…` : t;
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
  const fixes = ctx.hub.fixes.list(ctx.runId);
  const lines = escalated
    .map((e) => {
      const titles = e.fixIds
        .map((id) =>
          fixes
            .find((f) => f.id === id)
            ?.description.split('\n')[0]
            ?.replace(/\.$/, ''),
        )
        .filter((t): t is string => t !== undefined);
      return `${e.owner} on fix ${e.fixIds.map((id) => `#${id}`).join(', ')}${titles.length ? ` (${titles.join('; ')})` : ''}: "${e.reason}"`;
    })
    .join('; ');
  return `a fix was not sent again because its owner could not act on it: it changed nothing (${lines}). Fix the cause on your branch or re-plan who owns the files involved, then resume: orchestra run --resume ${ctx.runId}`;
}
