import type { Plan } from '../domain/index.js';
import { openRepo } from '../git/index.js';
import type { Hub } from '../hub/index.js';
import {
  type BaseCheck,
  type CommandRunner,
  CriteriaCache,
  checkBase,
  preexistingFindings,
  sandboxedRunner,
} from '../validator/index.js';
import type { EngineContext } from './engine-context.js';

/**
 * Base checks by repository, base commit and plan, kept for the process: the check shown at
 * approval time is the one the first wave uses, and a resume in the same process does not repeat it.
 */
const checks = new Map<string, Promise<BaseCheck>>();
const caches = new WeakMap<EngineContext, CriteriaCache>();

const keyOf = (root: string, base: string, plan: Plan) =>
  `${root}\0${base}\0${JSON.stringify(plan.tasks.map((t) => t.successCriteria))}`;

function check(
  root: string,
  base: string,
  plan: Plan,
  runner: CommandRunner | undefined,
  onProgress?: (line: string) => void,
): Promise<BaseCheck> {
  const key = keyOf(root, base, plan);
  let hit = checks.get(key);
  if (!hit) {
    hit = checkBase({
      cwd: root,
      base,
      plan,
      tasks: plan.tasks,
      ...(runner ? { runner } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    checks.set(key, hit);
    hit.catch(() => checks.delete(key));
  }
  return hit;
}

/** Criterion results of a run by tree and command: the same command on the same tree runs once. */
export function criteriaCacheOf(ctx: EngineContext): CriteriaCache {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new CriteriaCache();
    caches.set(ctx, cache);
  }
  return cache;
}

/**
 * Check the run's base once before the first wave (the project type check with its own
 * TypeScript, every criterion command once) and record what already fails there in the hub
 * (`validation.base`): reported under "Already failing on the base", never sent to a task.
 */
export async function checkRunBase(ctx: EngineContext): Promise<BaseCheck> {
  const base = ctx.worktrees.base;
  const result = await check(ctx.repoRoot, base, ctx.plan, sandboxedRunner(ctx.sandbox.commands));
  recordBase(ctx.hub, ctx.runId, result);
  return result;
}

function recordBase(hub: Pick<Hub, 'events'>, runId: string, result: BaseCheck): void {
  const known = hub.events
    .list({ runId, type: 'validation.base' })
    .some((e) => e.type === 'validation.base' && e.base === result.base);
  if (known) return;
  const failing = preexistingFindings(result);
  hub.events.append({
    runId,
    type: 'validation.base',
    base: result.base,
    typescript: `${result.typescript.version}${result.typescript.source === 'bundled' ? ' (bundled)' : ''}`,
    typeErrors: result.typeErrors.length,
    criteria: failing.filter((f) => f.kind === 'criterion').length,
    failing: failing.slice(0, 50).map((f) => f.title),
  });
}

/**
 * What already fails on `base`, as text to show with the plan before approval (empty when
 * nothing fails). The check is kept for the run's first wave.
 */
export async function baseForApproval(settings: {
  root: string;
  /** Default: HEAD of the checkout, where a new run starts. */
  base?: string;
  plan: Plan;
  hub?: Pick<Hub, 'events'>;
  runId?: string;
  /** Where the base's criterion commands run (the run's sandbox). */
  runner?: CommandRunner;
}): Promise<string> {
  const base = settings.base ?? (await openRepo(settings.root)).head;
  const result = await check(settings.root, base, settings.plan, settings.runner);
  if (settings.hub && settings.runId) recordBase(settings.hub, settings.runId, result);
  const failing = preexistingFindings(result);
  const lines = [
    '',
    `Base ${base.slice(0, 12)} checked with TypeScript ${result.typescript.version}${result.typescript.source === 'bundled' ? ' (bundled)' : " (the project's own)"}:`,
  ];
  if (result.typescript.note) lines.push(`  note: ${result.typescript.note}`);
  if (failing.length === 0) lines.push('  nothing fails on the base.');
  else {
    lines.push(`Already failing on the base (reported, never sent to a task):`);
    for (const f of failing.slice(0, 20)) lines.push(`  - ${f.title}`);
    if (failing.length > 20) lines.push(`  … and ${failing.length - 20} more`);
  }
  return `${lines.join('\n')}\n`;
}
