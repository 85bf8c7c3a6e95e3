import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LINK_MARKER, linkNodeModules, prepareWorktree } from './prepare.js';
import type { CommandRunner } from './run-command.js';
import { runCommand } from './run-command.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A checkout with installed packages and a worktree with the same (or another) lockfile. */
function scene(lock: { root: string; tree: string }) {
  dir = mkdtempSync(join(tmpdir(), 'orchestra-prepare-'));
  const root = join(dir, 'root');
  const tree = join(dir, 'tree');
  for (const d of [root, tree]) {
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'package.json'), '{"name":"p"}');
  }
  writeFileSync(join(root, 'package-lock.json'), lock.root);
  writeFileSync(join(tree, 'package-lock.json'), lock.tree);
  mkdirSync(join(root, 'node_modules', '@scope', 'a'), { recursive: true });
  mkdirSync(join(root, 'node_modules', 'lib'), { recursive: true });
  mkdirSync(join(root, 'node_modules', '.bin'), { recursive: true });
  mkdirSync(join(root, 'node_modules', '.vite-temp'), { recursive: true });
  return { root, tree };
}

const recorder = () => {
  const calls: Array<{ argv: readonly string[]; cwd: string }> = [];
  const run: CommandRunner = async (argv, o) => {
    calls.push({ argv, cwd: o.cwd });
    return { code: 0, output: '', ms: 5, timedOut: false };
  };
  return { calls, run };
};

describe('prepareWorktree', () => {
  it("links the checkout's packages entry by entry while the lockfile is unchanged; tool scratch stays private", async () => {
    const { root, tree } = scene({ root: 'L1', tree: 'L1' });
    const r = recorder();
    const out = await prepareWorktree({
      root,
      path: tree,
      config: { runSetup: 'lockfile-changed' },
      run: r.run,
    });
    expect(out).toMatchObject({ setup: 'linked', ok: true });
    expect(r.calls).toEqual([]);
    const nm = join(tree, 'node_modules');
    expect(lstatSync(nm).isSymbolicLink()).toBe(false);
    expect(readdirSync(nm).sort()).toEqual(['.bin', LINK_MARKER, '@scope', 'lib']);
    expect(lstatSync(join(nm, 'lib')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(nm, '@scope', 'a'))).toBe(true);
  });

  it('runs the setup command (an argument array) in the worktree where the lockfile changed, after removing links', async () => {
    const { root, tree } = scene({ root: 'L1', tree: 'L2' });
    await linkNodeModules(join(root, 'node_modules'), join(tree, 'node_modules'));
    const r = recorder();
    const out = await prepareWorktree({
      root,
      path: tree,
      config: { runSetup: 'lockfile-changed', setup: ['npm', 'ci'] },
      run: r.run,
    });
    expect(out).toMatchObject({ setup: 'command', command: ['npm', 'ci'], ok: true });
    expect(r.calls).toEqual([{ argv: ['npm', 'ci'], cwd: tree }]);
    expect(existsSync(join(tree, 'node_modules'))).toBe(false);
    // The checkout's packages were never touched.
    expect(readdirSync(join(root, 'node_modules')).sort()).toEqual(['.bin', '.vite-temp', '@scope', 'lib']);
  });

  it('chooses the install from the lockfile, honours always and never, and reports a failing command', async () => {
    const { root, tree } = scene({ root: 'L1', tree: 'L1' });
    const r = recorder();
    expect(
      await prepareWorktree({ root, path: tree, config: { runSetup: 'always' }, run: r.run }),
    ).toMatchObject({
      setup: 'command',
      command: ['npm', 'ci', '--no-audit', '--no-fund'],
    });
    writeFileSync(join(tree, 'package-lock.json'), 'L2');
    expect(
      await prepareWorktree({ root, path: tree, config: { runSetup: 'never' }, run: r.run }),
    ).toMatchObject({
      setup: 'linked',
      detail: expect.stringMatching(/differs/),
    });
    const failed = await prepareWorktree({
      root,
      path: tree,
      config: {
        runSetup: 'lockfile-changed',
        setup: [process.execPath, '-e', 'console.error("no network"); process.exit(3)'],
      },
    });
    expect(failed).toMatchObject({
      setup: 'command',
      ok: false,
      detail: expect.stringMatching(/exited 3: no network/),
    });
  });

  it('does nothing without a package.json', async () => {
    dir = mkdtempSync(join(tmpdir(), 'orchestra-prepare-'));
    expect(await prepareWorktree({ root: dir, path: dir, config: { runSetup: 'always' } })).toMatchObject({
      setup: 'none',
      ok: true,
    });
  });
});

describe('runCommand', () => {
  it('never goes through a shell: metacharacters are plain arguments', async () => {
    dir = mkdtempSync(join(tmpdir(), 'orchestra-cmd-'));
    const r = await runCommand(
      [process.execPath, '-e', 'console.log(process.argv[1])', '$(echo hi); rm -rf /'],
      {
        cwd: dir,
      },
    );
    expect(r).toMatchObject({ code: 0, output: '$(echo hi); rm -rf /', timedOut: false });
  });
});
