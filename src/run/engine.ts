import { existsSync } from 'node:fs';
import { createClaudeCodeExecutor, openRunWorktrees, sweepWorktrees } from '../executor/index.js';
import { git, gitWrite, identityArgs, openRepo } from '../git/index.js';
import { markRunActive } from '../guard/index.js';
import { hubPath, openHub } from '../hub/index.js';
import { integrationBranch, integrationWorktreePath } from '../validator/index.js';
import { runBaseline } from './baseline.js';
import { dispatchDynamic, dispatchStrict } from './dispatch.js';
import type { EngineContext } from './engine-context.js';
import type { RunOptions, RunOutcome } from './engine-types.js';
import { observeHub } from './observed-hub.js';
import { prepareRun } from './run-setup.js';
import { checkRunBase } from './synthesis.js';

/**
 * Play the whole orchestra: plan (or load, or resume) → approval → dispatch specialists in waves →
 * merge and validate on the integration branch → fix tasks to their owners (bounded rounds) → an
 * integration branch for the user to review. All state is in the hub: a run killed at any moment
 * continues with `resumeRunId`.
 */
export async function runOrchestra(o: RunOptions): Promise<RunOutcome> {
  const envOpt = o.env ? { env: o.env } : {};
  const repo = await openRepo(o.cwd, envOpt);
  const rawHub = openHub({ path: hubPath(repo.root), ...(o.now ? { now: o.now } : {}) });
  const hub = observeHub(rawHub, o.onEvent);
  let inactive = (): void => undefined;
  try {
    const prep = await prepareRun(
      { ...o, sandboxReadOnly: [repo.commonDir, ...(o.sandboxReadOnly ?? [])] },
      hub,
      repo.root,
    );
    const { runId, plan, settings } = prep;
    // Leftovers of dead or finished runs go first; this run's own worktrees are reused.
    await sweepWorktrees({ cwd: repo.root, keepRuns: [runId], ...envOpt }).catch(() => undefined);
    const stored = hub.runs.require(runId);
    // --rebase: the run moves onto the checkout's HEAD now; otherwise it keeps its base.
    const base = o.rebase ? repo.head : (stored.baseCommit ?? undefined);
    const worktrees = await openRunWorktrees({
      cwd: repo.root,
      runId,
      ...(base ? { base } : {}),
      ...(o.rebase ? { rebase: true } : {}),
      ...envOpt,
    });
    hub.runs.setBase(runId, worktrees.base);
    hub.runs.setConfig(runId, { ...settings });
    hub.runs.setStatus(runId, 'running');
    inactive = markRunActive(repo.root, runId); // the collision guard's sign that leases may be live
    if (prep.resumed) {
      hub.events.append({ runId, type: 'note', text: `resumed by process ${process.pid}` });
      if (o.rebase && stored.baseCommit !== worktrees.base)
        hub.events.append({
          runId,
          type: 'note',
          text: `rebased from ${stored.baseCommit?.slice(0, 12) ?? '(none)'} onto ${worktrees.base.slice(0, 12)}${repo.branch ? ` (${repo.branch})` : ''}: merged tasks are replayed onto it by the merge train`,
        });
    } else hub.events.append({ runId, type: 'run.started', goal: plan.goal, baseCommit: worktrees.base });
    hub.events.append({ runId, type: 'note', text: prep.sandbox.summary });
    for (const t of plan.tasks) {
      const known = hub.tasks.get(runId, t.id);
      if (!known) hub.tasks.upsert({ runId, id: t.id, agent: t.agent, status: 'queued' });
      // A task that was running when the run died starts again in its kept worktree; one that
      // failed or was blocked gets another chance (its branch and recorded start are kept).
      else if (known.status === 'running') hub.tasks.setStatus(runId, t.id, 'queued', 'interrupted; resumed');
      else if (['failed', 'terminated', 'blocked'].includes(known.status))
        hub.tasks.setStatus(runId, t.id, 'queued', `resumed after: ${known.reason ?? known.status}`);
    }
    const ctx: EngineContext = {
      options: o,
      hub,
      repoRoot: repo.root,
      commonDir: repo.commonDir,
      runId,
      plan,
      settings,
      config: prep.config,
      agents: prep.agents,
      worktrees,
      resumed: prep.resumed,
      executor:
        o.executor ??
        createClaudeCodeExecutor({
          settingSources: prep.config.executor.settingSources,
          hungAfterMs: prep.config.lifecycle.hungAfterMs,
          sandbox: prep.sandbox.agent,
          envPassThrough: prep.sandbox.passThrough,
          ...envOpt,
        }),
      sandbox: prep.sandbox,
      lastReport: undefined,
    };
    // What already fails on the base is checked while the first wave works (the checks run in their
    // own checkout); the first validation waits for it. With approval it was done before the plan was shown.
    checkRunBase(ctx).catch(() => undefined);
    const result = settings.waves === 'dynamic' ? await dispatchDynamic(ctx) : await dispatchStrict(ctx);
    const outcome: RunOutcome = {
      runId,
      status: result.status,
      integrationBranch: integrationBranch(runId),
      merged: hub.tasks.list(runId, { status: 'merged' }).map((t) => t.id),
      failed: hub.tasks
        .list(runId)
        .filter((t) => ['failed', 'terminated', 'blocked'].includes(t.status))
        .map((t) => ({ taskId: t.id, reason: t.reason ?? t.status })),
      fixRounds: result.fixRounds,
      openIssues: (ctx.lastReport?.findings ?? []).filter((f) => f.severity === 'error').map((f) => f.title),
      preexisting: (ctx.lastReport?.preexisting ?? []).map((f) => f.title),
      ...(result.reason ? { reason: result.reason } : {}),
    };
    // Green for what the run did, but a check the user asked for may still be red: say so.
    if (outcome.status === 'succeeded' && !outcome.reason && outcome.preexisting.length > 0)
      outcome.reason = stillFailing(outcome.preexisting);
    if (settings.baseline === 'single-agent' && outcome.status !== 'stopped') await runBaseline(ctx);
    if (outcome.status === 'succeeded' && settings.merge) {
      const into = await mergeIntoUserBranch(repo.root, repo.commonDir, outcome.integrationBranch);
      outcome.mergedInto = into;
    }
    hub.runs.setStatus(runId, outcome.status);
    hub.events.append({
      runId,
      type: 'run.finished',
      status: outcome.status,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
    });
    if (outcome.status !== 'stopped') await closeRun(ctx, outcome.status === 'succeeded');
    return outcome;
  } finally {
    inactive();
    rawHub.close();
  }
}

/**
 * The end of a run: its task worktrees and branches go (after success right away; after a failure
 * the next sweep, so they can be inspected first); the integration branch stays for review.
 */
async function closeRun(ctx: EngineContext, succeeded: boolean): Promise<void> {
  const path = integrationWorktreePath(ctx.repoRoot, ctx.runId);
  if (existsSync(path)) {
    await gitWrite(['worktree', 'remove', '--force', path], {
      cwd: ctx.repoRoot,
      commonDir: ctx.commonDir,
      allowFailure: true,
    });
  }
  await ctx.worktrees.finish();
  if (!succeeded) return;
  await sweepWorktrees({ cwd: ctx.repoRoot, runId: ctx.runId }).catch(() => undefined);
  // The task branches are gone (their work is in the integration branch): say so in the hub.
  for (const t of ctx.hub.tasks.list(ctx.runId))
    ctx.hub.tasks.upsert({ runId: ctx.runId, id: t.id, branch: null, worktree: null });
}

/** `--merge`: merge the green integration branch into the user's branch, never over their changes. */
async function mergeIntoUserBranch(root: string, commonDir: string, branch: string): Promise<string> {
  const status = await git(['status', '--porcelain', '--untracked-files=no'], { cwd: root });
  const current = (
    await git(['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd: root, allowFailure: true })
  ).stdout.trim();
  if (!current) return `not merged: your checkout is on a detached HEAD; merge ${branch} yourself`;
  if (status.stdout.trim())
    return `not merged: ${current} has uncommitted changes; commit them, then git merge ${branch}`;
  const identity = await identityArgs(root);
  const r = await gitWrite([...identity, 'merge', '--no-ff', '--no-edit', branch], {
    cwd: root,
    commonDir,
    allowFailure: true,
  });
  if (r.code !== 0) {
    await gitWrite(['merge', '--abort'], { cwd: root, commonDir, allowFailure: true });
    return `not merged: merging into ${current} failed (${(r.stderr || r.stdout).trim().split('\n')[0]}); the merge was aborted`;
  }
  return current;
}

/** The closing words of a green run whose base already failed some checks. */
function stillFailing(titles: readonly string[]): string {
  const n = titles.length;
  const shown = titles.slice(0, 3).join('; ');
  return `${n} check${n === 1 ? '' : 's'} already failing on the base still fail${n === 1 ? 's' : ''} (not caused by this run, never sent to a task; see "Already failing on the base" in the report): ${shown}${n > 3 ? `; … and ${n - 3} more` : ''}`;
}
