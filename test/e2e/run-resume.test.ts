import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHub } from '../../src/hub/index.js';
import { startModelServer } from '../../src/testing/index.js';
import { ORCHESTRA_BIN, runOrchestraAsync } from '../support/cli.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { runRepo, runScenario } from './run-fixtures.js';

// kill -9 of `orchestra run` at random moments; each --resume must complete with the same
// integration tree as an uninterrupted run, and no task merged twice.

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function fixture() {
  // Spare blocks: attempts cut by a kill are played again by the resumed run.
  const server = await startModelServer(runScenario({ repeat: 4 }));
  cleanup.push(() => server.close({ verify: false }));
  const dir = tempDir('orchestra-resume-');
  cleanup.push(dir.remove);
  const root = realpathSync(dir.path);
  const { repo, planFile } = runRepo(path.join(root, 'repo'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...claudeTestEnv(server.url, root),
    GIT_CONFIG_GLOBAL: '/dev/null',
    NO_COLOR: '1',
  };
  delete env.CLAUDECODE;
  return { repo, planFile, env };
}

/** Start `orchestra run`, SIGKILL it after `ms`, and wait until it is gone. */
function runAndKill(args: string[], cwd: string, env: NodeJS.ProcessEnv, ms: number): Promise<number | null> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, [ORCHESTRA_BIN, ...args], {
      cwd,
      env,
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function finalTree(repo: string, runId: string): { tree: string; merges: string[] } {
  const branch = `orchestra/${runId}/integration`;
  return {
    tree: git(repo, 'rev-parse', `${branch}^{tree}`),
    merges: git(repo, 'log', '--merges', '--format=%s', branch).split('\n').filter(Boolean),
  };
}

describe('orchestra run: kill -9 at random moments, then --resume', () => {
  it('completes every time with the uninterrupted tree and no task merged twice', {
    timeout: 900_000,
  }, async () => {
    const ref = await fixture();
    const first = await runOrchestraAsync(['run', '--plan', ref.planFile, '--yes', '--json'], {
      cwd: ref.repo,
      env: ref.env,
    });
    expect(first.code, first.stderr).toBe(0);
    const refRun = JSON.parse(first.stdout.trim().split('\n').at(-1) as string) as { runId: string };
    const expected = finalTree(ref.repo, refRun.runId).tree;

    const next = random(20261125);
    let interrupted = 0;
    for (let i = 0; i < 10; i++) {
      const t = await fixture();
      const killAfter = 300 + Math.floor(next() * 8_000);
      const code = await runAndKill(
        ['run', '--plan', t.planFile, '--yes', '--json'],
        t.repo,
        t.env,
        killAfter,
      );
      const hub = openHub({ path: path.join(t.repo, '.orchestra', 'hub.db') });
      const runId = hub.runs.list()[0]?.id;
      hub.close();
      // Killed before the run was recorded: there is nothing to resume, only to start.
      const args = runId
        ? ['run', '--resume', runId, '--yes', '--json']
        : ['run', '--plan', t.planFile, '--yes', '--json'];
      const resumed = await runOrchestraAsync(args, { cwd: t.repo, env: t.env });
      const label = `iteration ${i}, killed after ${killAfter} ms (exit ${code}), ${runId ? `resumed ${runId}` : 'restarted'}`;
      // A run that finished before the kill has nothing left to resume.
      if (resumed.code === 2 && /already succeeded/.test(resumed.stderr)) continue;
      if (runId) interrupted++;
      expect(resumed.code, `${label}\n${resumed.stderr}`).toBe(0);
      const outcome = JSON.parse(resumed.stdout.trim().split('\n').at(-1) as string) as {
        runId: string;
        status: string;
      };
      expect(outcome.status, label).toBe('succeeded');
      const got = finalTree(t.repo, outcome.runId);
      expect(got.tree, label).toBe(expected);
      for (const id of ['types', 'server', 'client']) {
        expect(
          got.merges.filter((m) => m.includes(`/${id}`)),
          `${label}: ${id} merged once`,
        ).toHaveLength(1);
      }
      // No stray worktree of the run is left behind.
      expect(git(t.repo, 'worktree', 'list', '--porcelain'), label).not.toContain(`/${outcome.runId}/`);
    }
    // The kills really cut runs short, not only before they started or after they ended.
    expect(interrupted).toBeGreaterThanOrEqual(6);
  });
});
