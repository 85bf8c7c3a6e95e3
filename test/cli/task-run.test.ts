import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scenario, startModelServer } from '../../src/testing/index.js';
import { runOrchestraAsync } from '../support/cli.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { gitRepo } from '../support/scenario-fixtures.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

describe('orchestra task run (built CLI, real Claude Code binary, scripted model)', () => {
  it('runs one specialist on its own branch, denies a write outside --owns, prints --json', async () => {
    const server = await startModelServer(
      scenario()
        .on({ agent: 'backend-specialist' })
        .write('src/api/users.ts', 'export const users: string[] = [];\n')
        .usage({ input: 900, output: 30 })
        .write('src/web/app.ts', 'hack\n')
        .usage({ input: 1000, output: 25 })
        .structured({
          summary: 'users API',
          contracts: [],
          testRequirements: ['list users'],
          dependenciesNeeded: [],
          notes: [],
        })
        .usage({ input: 1100, output: 20 }),
    );
    cleanup.push(() => server.close());
    const dir = tempDir('orchestra-taskrun-');
    cleanup.push(dir.remove);
    const root = realpathSync(dir.path);
    const repo = gitRepo(path.join(root, 'repo'), { 'README.md': '# r\n', 'src/api/.keep': '' });
    const before = {
      head: git(repo, 'rev-parse', 'HEAD'),
      branches: git(repo, 'branch', '--list'),
      status: git(repo, 'status', '--porcelain'),
    };

    const r = await runOrchestraAsync(
      ['task', 'run', '--agent', 'backend-specialist', '--owns', 'src/api/**', '--json', 'Add a users API'],
      { cwd: repo, env: claudeTestEnv(server.url, root) },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      taskId: 'task',
      status: 'succeeded',
      filesChanged: ['src/api/users.ts'],
      usage: { inputTokens: 3000, outputTokens: 75 },
    });
    expect(out.branch).toBe(`orchestra/${String(out.runId)}/task`);
    expect((out.denied as Array<{ path?: string }>).map((d) => d.path)).toEqual(['src/web/app.ts']);
    // The branch holds the work; the user's checkout, HEAD and index are as they were.
    expect(git(repo, 'show', `${String(out.branch)}:src/api/users.ts`)).toBe(
      'export const users: string[] = [];',
    );
    expect(existsSync(path.join(repo, 'src/api/users.ts'))).toBe(false);
    expect(existsSync(path.join(repo, 'src/web/app.ts'))).toBe(false);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(before.head);
    expect(git(repo, 'status', '--porcelain')).toBe(before.status);
    expect(readFileSync(path.join(repo, 'README.md'), 'utf8')).toBe('# r\n');
    // The branch is handed over: a clean does not remove it.
    const clean = await runOrchestraAsync(['clean', '--json'], { cwd: repo });
    expect(clean.code, clean.stderr).toBe(0);
    expect(git(repo, 'branch', '--list', String(out.branch))).toContain(String(out.branch));
  });

  it('refuses bad input with exit 2', async () => {
    const dir = tempDir('orchestra-taskrun-');
    cleanup.push(dir.remove);
    const repo = gitRepo(path.join(realpathSync(dir.path), 'repo'));
    const noOwns = await runOrchestraAsync(['task', 'run', '--agent', 'backend-specialist', 'x'], {
      cwd: repo,
    });
    expect(noOwns.code).toBe(2);
    expect(noOwns.stderr).toContain('--owns');
    const unknown = await runOrchestraAsync(['task', 'run', '--agent', 'nobody', '--owns', 'src/**', 'x'], {
      cwd: repo,
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no agent named "nobody"');
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
  });
});
