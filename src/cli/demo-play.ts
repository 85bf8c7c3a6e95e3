import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type DemoResult, progressLine, runDemo } from '../demo/index.js';
import { renderReport } from '../run/index.js';
import type { CliIo } from './io.js';
import { styler } from './io.js';

/** How to run Orchestra with Claude instead of the script. */
export const WITH_CLAUDE = [
  'To run Orchestra with Claude instead: log in with `claude` (or set ANTHROPIC_API_KEY), then, in your own',
  'repository: orchestra run "<request>" [--model <model>]  (orchestra plan create "<request>" shows the plan first).',
];

/** The exit code, and the JSON object printed with `--json` (null without). */
export interface DemoCliResult {
  code: number;
  json: unknown;
}

/**
 * `orchestra demo` for a terminal: says plainly, first and last, that the model is scripted; shows
 * progress on stderr; prints the report (or with `json`, one JSON object) on stdout.
 */
export async function playDemo(io: CliIo, o: { keep: boolean; json: boolean }): Promise<DemoCliResult> {
  const s = styler({ ...io, isTTY: io.isTTY && !o.json });
  const say = (line = '') => io.stderr(`${line}\n`);
  say(s.bold('orchestra demo — the model is SCRIPTED (no Claude, no account, no network).'));
  say(
    "The real Claude Code binary runs every agent against a local scripted model server that plays the article's",
  );
  say(
    'real-time collaboration example on a copy of a sample repository: 6 specialists in 3 tracks, a planted',
  );
  say('`user_id: number` vs `userId: string` mismatch, the validator that catches it and the fix wave.');
  say();
  // Ctrl-C must not leave the temporary repository behind: remove it on the way out.
  let removeTemp: (() => void) | undefined;
  const onExit = () => removeTemp?.();
  const onSigint = () => process.exit(130);
  process.once('exit', onExit);
  process.once('SIGINT', onSigint);
  const previousTmp = process.env.TMPDIR;
  let result: DemoResult;
  try {
    result = await runDemo({
      keep: o.keep,
      onTempDir: (root, remove) => {
        removeTemp = remove;
        // The agents' per-process config dirs and the tests' scratch dirs go inside it too, so an
        // interrupted demo leaves nothing in the system's temp directory.
        const scratch = join(root, 'tmp');
        mkdirSync(scratch, { recursive: true });
        process.env.TMPDIR = scratch;
      },
      onEvent: (e) => {
        const line = progressLine(e);
        if (line) say(s.dim(line));
      },
    });
  } finally {
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    process.off('exit', onExit);
    process.off('SIGINT', onSigint);
  }
  const ok = result.outcome.status === 'succeeded' && result.scriptProblems.length === 0;
  if (o.json) {
    say(closing(result, s));
    return { code: ok ? 0 : 1, json: toJson(result) };
  }
  io.stdout(`\n${renderReport(result.report, 'md')}`);
  say();
  say(closing(result, s));
  return { code: ok ? 0 : 1, json: null };
}

function closing(r: DemoResult, s: ReturnType<typeof styler>): string {
  const lines: string[] = [];
  const o = r.outcome;
  if (o.status === 'succeeded')
    lines.push(
      s.green(
        `Done in ${(r.durationMs / 1000).toFixed(1)}s: ${o.merged.length} tasks merged into ${o.integrationBranch} after ${o.fixRounds} fix round${o.fixRounds === 1 ? '' : 's'}; it type-checks and its integration tests pass.`,
      ),
    );
  else lines.push(s.red(`The demo run ${o.status}: ${o.reason ?? o.openIssues.join('; ')}`));
  for (const p of r.scriptProblems) lines.push(s.red(`script: ${p}`));
  lines.push(
    r.repo
      ? `Kept: ${r.repo} (cd there, then: orchestra report, git log --all --graph). When done: rm -rf ${r.keptDir}`
      : 'Nothing was left behind: the temporary repository is removed (use --keep to inspect it).',
  );
  lines.push(s.bold('Reminder: that was a SCRIPTED model, not Claude.'), ...WITH_CLAUDE);
  return lines.join('\n');
}

function toJson(r: DemoResult) {
  return {
    scripted: true,
    note: 'The model was a scripted server, not Claude.',
    withClaude: WITH_CLAUDE.join(' '),
    outcome: r.outcome,
    repo: r.repo,
    keptDir: r.keptDir,
    durationMs: r.durationMs,
    modelRequests: r.modelRequests,
    scriptedUsage: r.scriptedUsage,
    scriptProblems: r.scriptProblems,
    report: r.report,
  };
}
