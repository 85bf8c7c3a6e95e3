import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scenario, startModelServer } from '../../src/testing/index.js';
import { runOrchestraAsync } from '../support/cli.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { gitRepo } from '../support/scenario-fixtures.js';

// No silent fallback: where no sandbox can start (bubblewrap missing: ORCHESTRA_BWRAP points at
// nothing, as on a machine without the package), a task with Bash stops with the install hint and
// exit 2; only --unsandboxed runs it, and says so.

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const done = { summary: 'ok', contracts: [], testRequirements: [], dependenciesNeeded: [], notes: [] };

describe('orchestra without a sandbox (built CLI)', () => {
  it('stops a task that needs Bash with the install hint (exit 2) and creates nothing; --unsandboxed runs it and reports it', async () => {
    const server = await startModelServer(
      scenario().on({ agent: 'backend-specialist' }).bash('echo ran > src/api/ran.txt').structured(done),
    );
    cleanup.push(() => server.close({ verify: false }));
    const dir = tempDir('orchestra-nosandbox-');
    cleanup.push(dir.remove);
    const root = realpathSync(dir.path);
    const repo = gitRepo(path.join(root, 'repo'), { 'README.md': '# r\n', 'src/api/.keep': '' });
    const env = { ...claudeTestEnv(server.url, root), ORCHESTRA_BWRAP: path.join(root, 'no-such-bwrap') };
    const args = ['task', 'run', '--agent', 'backend-specialist', '--owns', 'src/api/**', 'Add the API'];
    const branches = git(repo, 'branch', '--list');

    const refused = await runOrchestraAsync(args, { cwd: repo, env });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('has Bash');
    expect(refused.stderr).toContain('not installed');
    expect(refused.stderr).toContain('sudo apt-get install -y bubblewrap');
    expect(refused.stderr).toContain('--unsandboxed');
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(git(repo, 'branch', '--list')).toBe(branches);

    const ran = await runOrchestraAsync([...args.slice(0, -1), '--unsandboxed', '--json', 'Add the API'], {
      cwd: repo,
      env,
    });
    expect(ran.code, ran.stderr).toBe(0);
    const out = JSON.parse(ran.stdout) as { runId: string; branch: string };
    expect(git(repo, 'show', `${out.branch}:src/api/ran.txt`)).toBe('ran');
    const report = await runOrchestraAsync(['report', out.runId], { cwd: repo, env });
    expect(report.stdout).toContain('- Sandbox: OFF (--unsandboxed)');
  }, 180_000);

  it('refuses a glob the overlap test cannot decide, naming it (exit 2)', async () => {
    const dir = tempDir('orchestra-glob-');
    cleanup.push(dir.remove);
    const repo = gitRepo(path.join(realpathSync(dir.path), 'repo'));
    const r = await runOrchestraAsync(
      ['task', 'run', '--agent', 'backend-specialist', '--owns', 'src/@(api|web)/**', 'x'],
      { cwd: repo },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--owns "src/@(api|web)/**": extglobs');
    expect(readFileSync(path.join(repo, 'README.md'), 'utf8')).toBe('# test\n');
  });
});
