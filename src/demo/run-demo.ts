import { hubPath, openHub, type StoredEvent } from '../hub/index.js';
import type { RunOutcome, RunReport } from '../run/index.js';
import { buildReport, runOrchestra } from '../run/index.js';
import { type RecordedRequest, startModelServer } from '../testing/index.js';
import { createDemoRepo, type DemoRepoSettings } from './sample-repo.js';
import { type DemoScenario, demoScenario } from './scenario.js';

/** What `orchestra demo` asks for. */
export interface DemoOptions extends Pick<DemoRepoSettings, 'tmpDir'> {
  /** Keep the temporary repository (its path is in the result); default: remove everything. */
  keep?: boolean;
  /** Every event of the run, as stored in its hub. */
  onEvent?: (event: StoredEvent) => void;
  /** Specialists at once (default: the sample's configuration). */
  maxParallel?: number;
  /** Told the temporary directory as soon as it exists (the CLI removes it if interrupted). */
  onTempDir?: (root: string, remove: () => void) => void;
}

/** How the demo went. */
export interface DemoResult {
  /** Always true: the model was the scripted server, never Claude. */
  scripted: true;
  outcome: RunOutcome;
  /** The run's report as read from its hub. */
  report: RunReport;
  /** The figures the scenario scripted: the report's must equal them. */
  scriptedUsage: DemoScenario['usage'];
  /** The kept repository, or null when it was removed. */
  repo: string | null;
  /** The kept temporary directory holding the repository and the agents' home (delete it when done). */
  keptDir: string | null;
  durationMs: number;
  /** Model requests the scripted server answered. */
  modelRequests: number;
  /** Every request the scripted server received, in full (what the agents really sent). */
  requests: readonly RecordedRequest[];
  /** Requests the script could not answer and scripted turns never requested (empty when it played as written). */
  scriptProblems: string[];
}

/**
 * Play the article's real-time collaboration example on a copy of the bundled sample: the real
 * Claude Code binary runs every agent against a scripted model server on 127.0.0.1, through the
 * whole engine (plan, waves, worktrees, merge train, contract and type checks, the fix wave).
 * Nothing is left behind unless `keep`.
 */
export async function runDemo(o: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  const demo = demoScenario();
  const world = await createDemoRepo(o.tmpDir ? { tmpDir: o.tmpDir } : {});
  o.onTempDir?.(world.root, world.remove);
  let keep = o.keep === true;
  try {
    const server = await startModelServer(demo.scenario);
    let outcome: RunOutcome;
    try {
      outcome = await runOrchestra({
        cwd: world.repo,
        request: demo.request,
        yes: true,
        homeDir: world.home,
        ...(o.maxParallel ? { maxParallel: o.maxParallel } : {}),
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: world.home,
          CLAUDE_CONFIG_DIR: world.claudeConfigDir,
          ANTHROPIC_BASE_URL: server.url,
          ANTHROPIC_API_KEY: 'scripted',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          CLAUDE_CODE_MAX_RETRIES: '2',
          GIT_CONFIG_NOSYSTEM: '1',
        },
        ...(o.onEvent ? { onEvent: o.onEvent } : {}),
      });
    } finally {
      await server.close({ verify: false });
    }
    const scriptProblems = problemsOf(server);
    const hub = openHub({ path: hubPath(world.repo) });
    let report: RunReport;
    try {
      report = buildReport(hub, outcome.runId);
    } finally {
      hub.close();
    }
    return {
      scripted: true,
      outcome,
      report,
      scriptedUsage: demo.usage,
      repo: keep ? world.repo : null,
      keptDir: keep ? world.root : null,
      durationMs: Date.now() - started,
      modelRequests: server.requests.filter((r) => r.served?.kind === 'turn').length,
      requests: server.requests,
      scriptProblems,
    };
  } catch (e) {
    keep = false; // nothing to show: never leave a half-made demo behind
    throw e;
  } finally {
    if (!keep) world.remove();
  }
}

function problemsOf(server: { assertAllConsumed(): void }): string[] {
  try {
    server.assertAllConsumed();
    return [];
  } catch (e) {
    return (e as Error).message.split('\n- ').slice(1);
  }
}
