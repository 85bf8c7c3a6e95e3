import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FixtureRepo, fixtureRepo } from '../../test/mcp/fixture.js';
import { sh } from '../../test/validator/fixture.js';
import { hubPath, LIVE_TASK_STATUSES, openHub } from '../hub/index.js';
import { markRunActive } from './active-runs.js';
import { decideGuard } from './guard.js';
import { runGuardHook } from './hook.js';
import { GUARD_LIVE_STATUSES } from './hub-leases.js';

let repos: FixtureRepo[] = [];
afterEach(() => {
  for (const r of repos) r.cleanup();
  repos = [];
});

function repo(options: Parameters<typeof fixtureRepo>[0]): FixtureRepo {
  const r = fixtureRepo(options);
  repos.push(r);
  return r;
}

const write = (root: string, file: string, tool = 'Write') => ({
  tool_name: tool,
  tool_input: tool === 'NotebookEdit' ? { notebook_path: file } : { file_path: file, content: 'x' },
  cwd: root,
});

describe('decideGuard', () => {
  it('refuses every write tool on a path a live lease holds, naming the task; allows other paths and tools', async () => {
    const r = repo({ live: true });
    for (const tool of ['Write', 'Edit', 'MultiEdit', 'NotebookEdit']) {
      const d = await decideGuard(write(r.root, join(r.root, 'src/api/x.ts'), tool));
      expect(d.decision, tool).toBe('deny');
      if (d.decision === 'deny')
        expect(d.reason).toMatch(
          /src\/api\/x\.ts is held by task "api" \(WebSocket server\) of the Orchestra run run-live/,
        );
    }
    expect((await decideGuard(write(r.root, join(r.root, 'src/web/y.ts')))).decision).toBe('allow');
    expect(
      (
        await decideGuard({
          tool_name: 'Read',
          tool_input: { file_path: join(r.root, 'src/api/x.ts') },
          cwd: r.root,
        })
      ).decision,
    ).toBe('allow');
    expect(
      (await decideGuard({ tool_name: 'Bash', tool_input: { command: 'ls' }, cwd: r.root })).decision,
    ).toBe('allow');
  });

  it('resolves relative paths, `..` and symbolic links before matching', async () => {
    const r = repo({ live: true });
    expect((await decideGuard(write(join(r.root, 'src'), 'api/x.ts'))).decision).toBe('deny');
    expect((await decideGuard(write(r.root, join(r.root, 'src/web/../api/new.ts')))).decision).toBe('deny');
    symlinkSync(join(r.root, 'src/api'), join(r.root, 'src/web/alias'));
    expect((await decideGuard(write(r.root, join(r.root, 'src/web/alias/x.ts')))).decision).toBe('deny');
    expect((await decideGuard(write(r.root, '/tmp/elsewhere/x.ts'))).decision).toBe('allow');
  });

  it("guards the user's linked worktrees too, but not a task's own worktree", async () => {
    const r = repo({ live: true });
    const mine = join(r.root, '..', `${r.root.split('/').pop()}-mine`);
    sh(r.root, 'worktree', 'add', '-q', '-b', 'mine', mine);
    try {
      expect((await decideGuard(write(mine, join(mine, 'src/api/x.ts')))).decision).toBe('deny');
      const hub = openHub({ path: hubPath(r.root) });
      hub.tasks.upsert({ runId: 'run-live', id: 'api', worktree: mine });
      hub.close();
      const d = await decideGuard(write(mine, join(mine, 'src/api/x.ts')));
      expect(d).toMatchObject({ decision: 'allow', why: 'inside the worktree of task api' });
    } finally {
      sh(r.root, 'worktree', 'remove', '--force', mine);
    }
  });

  it('allows everything when no run is active, or the marking process is gone', async () => {
    const r = repo({ live: true });
    r.endLiveRun();
    expect(await decideGuard(write(r.root, join(r.root, 'src/api/x.ts')))).toMatchObject({
      decision: 'allow',
      why: 'no Orchestra run is active',
    });
    markRunActive(r.root, 'run-live', 2 ** 22 + 12345);
    expect(
      (await decideGuard(write(r.root, join(r.root, 'src/api/x.ts')), { isAlive: () => false })).decision,
    ).toBe('allow');
  });

  it('allows a path whose lease is dead (expired, finished task, process gone)', async () => {
    const r = repo({ live: true });
    const later = Date.now() + 16 * 60_000;
    expect(
      (await decideGuard(write(r.root, join(r.root, 'src/api/x.ts')), { now: () => later })).decision,
    ).toBe('allow');
    const hub = openHub({ path: hubPath(r.root) });
    hub.tasks.setStatus('run-live', 'api', 'succeeded');
    hub.close();
    expect((await decideGuard(write(r.root, join(r.root, 'src/api/x.ts')))).decision).toBe('allow');
  });

  it('fails closed during a run: missing or damaged hub, damaged marker', async () => {
    const r = repo({ live: true });
    rmSync(join(r.root, '.orchestra', 'hub.db'));
    for (const f of ['hub.db-wal', 'hub.db-shm']) rmSync(join(r.root, '.orchestra', f), { force: true });
    const gone = await decideGuard(write(r.root, join(r.root, 'src/web/y.ts')));
    expect(gone.decision).toBe('deny');
    if (gone.decision === 'deny')
      expect(gone.reason).toMatch(/run run-live is active .* cannot be read \(the file does not exist\)/);
    writeFileSync(join(r.root, '.orchestra', 'hub.db'), 'garbage that is not SQLite');
    expect((await decideGuard(write(r.root, join(r.root, 'src/web/y.ts')))).decision).toBe('deny');

    const other = repo({ live: false });
    mkdirSync(join(other.root, '.orchestra', 'active'), { recursive: true });
    writeFileSync(join(other.root, '.orchestra', 'active', 'broken.json'), '{"runId":');
    expect((await decideGuard(write(other.root, join(other.root, 'README.md')))).decision).toBe('deny');
  });

  it("holds the hub's live task statuses", () => {
    expect([...GUARD_LIVE_STATUSES]).toEqual([...LIVE_TASK_STATUSES]);
  });
});

describe('runGuardHook', () => {
  it('answers a deny as PreToolUse JSON, an allow with nothing, and input that is not JSON with nothing', async () => {
    const r = repo({ live: true });
    const denied = await runGuardHook(JSON.stringify(write(r.root, join(r.root, 'src/api/x.ts'))));
    expect(denied.code).toBe(0);
    expect(JSON.parse(denied.stdout)).toMatchObject({
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny' },
    });
    expect(await runGuardHook(JSON.stringify(write(r.root, join(r.root, 'src/web/y.ts'))))).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(await runGuardHook('not json')).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
