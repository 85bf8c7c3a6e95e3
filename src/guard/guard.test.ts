import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { decideGuard, globMatches, LEASE_MIRROR_VERSION, runGuardHook } from '../../plugin/scripts/guard.cjs';
import { type FixtureRepo, fixtureRepo } from '../../test/mcp/fixture.js';
import { sh } from '../../test/validator/fixture.js';
import { compileGlob, matchesGlob } from '../domain/index.js';
import { LEASE_MIRROR_VERSION as HUB_MIRROR_VERSION, hubPath, openHub } from '../hub/index.js';
import { markRunActive } from './active-runs.js';

const HOOK = fileURLToPath(new URL('../../plugin/scripts/guard.cjs', import.meta.url));

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

  it("fails closed during a run when the hub's lease mirror is missing, of another version or of another hub file", async () => {
    const r = repo({ live: true });
    const mirror = join(r.root, '.orchestra', 'leases.json');
    const saved = readFileSync(mirror, 'utf8');
    const y = () => decideGuard(write(r.root, join(r.root, 'src/web/y.ts')));
    expect((await y()).decision).toBe('allow');

    rmSync(mirror);
    expect(await y()).toMatchObject({
      decision: 'deny',
      reason: expect.stringMatching(
        /run run-live is active .* cannot be read \(its lease mirror .* is missing/,
      ),
    });
    writeFileSync(mirror, saved.replace(`"version":${LEASE_MIRROR_VERSION}`, '"version":99'));
    expect(await y()).toMatchObject({ decision: 'deny', reason: expect.stringMatching(/not of version 1/) });
    writeFileSync(mirror, saved.replace('"match":[', '"match":7,"was":['));
    expect(await y()).toMatchObject({ decision: 'deny', reason: expect.stringMatching(/is damaged/) });

    // Another hub file put in place (a new inode) is not what the mirror describes.
    writeFileSync(mirror, saved);
    const hubFile = join(r.root, '.orchestra', 'hub.db');
    copyFileSync(hubFile, `${hubFile}.copy`);
    renameSync(`${hubFile}.copy`, hubFile);
    expect(await y()).toMatchObject({
      decision: 'deny',
      reason: expect.stringMatching(/belongs to another hub file/),
    });
    // Opening the hub publishes its mirror again.
    openHub({ path: hubFile }).close();
    expect((await y()).decision).toBe('allow');
    expect((await decideGuard(write(r.root, join(r.root, 'src/api/x.ts')))).decision).toBe('deny');
  });

  it('reads the mirror version the hub writes', () => {
    expect(LEASE_MIRROR_VERSION).toBe(HUB_MIRROR_VERSION);
  });
});

describe('globMatches', () => {
  // The glob grammar the lease table accepts (see domain/globs.test.ts), over paths near its names.
  const lit = fc.constantFrom('src', 'api', 'API', 'a.ts', 'B.ts', 'x', 'index', '.env', '[id].ts');
  const atom = fc.oneof(
    lit,
    fc.constantFrom('*', '*.ts', 'b?', '?', 'index.*', '[ab]', '[A-C].ts', '[^a]', 'a*x', '*i*', '[id].ts'),
  );
  const braced = fc.tuple(atom, atom).map(([a, b]) => `{${a},${b}}`);
  const seg = fc.oneof({ arbitrary: atom, weight: 6 }, { arbitrary: braced, weight: 1 }, fc.constant('**'));
  const glob = fc
    .tuple(fc.array(seg, { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([s, slash]) => `${s.join('/')}${slash ? '/' : ''}`);
  const name = fc.constantFrom(
    'src',
    'api',
    'a.ts',
    'b.ts',
    'B.ts',
    'x',
    'ax',
    'index.',
    'index.ts',
    '.env',
    '[id].ts',
    'i',
  );
  const path = fc.array(name, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));

  it("matches a compiled glob exactly as the hub's matchesGlob matches the glob", () => {
    fc.assert(
      fc.property(glob, fc.array(path, { maxLength: 30 }), (g, paths) => {
        const compiled = compileGlob(g);
        for (const p of [...paths, '', ...compiled.map((c) => c.literal)])
          expect(
            compiled.some((c) => globMatches(p, c)),
            `${g} ~ ${p}`,
          ).toBe(matchesGlob(p, g));
      }),
      { numRuns: 400 },
    );
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

  it('runs as the hook process: a deny on stdout and exit 0, an allow with no output', () => {
    const r = repo({ live: true });
    const run = (file: string) =>
      spawnSync(process.execPath, [HOOK], { input: JSON.stringify(write(r.root, file)), encoding: 'utf8' });
    const denied = run(join(r.root, 'src/api/x.ts'));
    expect(denied.status).toBe(0);
    expect(JSON.parse(denied.stdout)).toMatchObject({
      hookSpecificOutput: {
        permissionDecision: 'deny',
        permissionDecisionReason: expect.stringMatching(/held by task "api" \(WebSocket server\)/),
      },
    });
    const allowed = run(join(r.root, 'src/web/y.ts'));
    expect([allowed.status, allowed.stdout, allowed.stderr]).toEqual([0, '', '']);
  });
});
