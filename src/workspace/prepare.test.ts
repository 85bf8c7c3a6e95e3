import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LINK_MARKER, linkNodeModules, markerKind, shareNodeModules } from './packages.js';
import { prepareWorktree } from './prepare.js';
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
      config: { runSetup: 'lockfile-changed', packages: 'link' },
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
      setup: 'copied',
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

  it("gives the worktree its own copy of the checkout's packages by default: links kept, scratch left out, writes stay private", async () => {
    const { root, tree } = scene({ root: 'L1', tree: 'L1' });
    const src = join(root, 'node_modules');
    writeFileSync(join(src, 'lib', 'index.js'), 'module.exports = 1;\n');
    symlinkSync('../lib/index.js', join(src, '.bin', 'lib'));
    const r = recorder();
    const out = await prepareWorktree({
      root,
      path: tree,
      config: { runSetup: 'lockfile-changed' },
      run: r.run,
    });
    expect(out).toMatchObject({ setup: 'copied', ok: true });
    expect(r.calls).toEqual([]);
    const nm = join(tree, 'node_modules');
    expect(markerKind(nm)).toBe('copied');
    expect(readdirSync(nm).sort()).toEqual(['.bin', LINK_MARKER, '@scope', 'lib']);
    expect(lstatSync(join(nm, 'lib')).isSymbolicLink()).toBe(false);
    expect(readlinkSync(join(nm, '.bin', 'lib'))).toBe('../lib/index.js');
    // What a tool writes into its own package (vitest's tsbuildinfo) lands in the copy only.
    writeFileSync(join(nm, 'lib', 'tsconfig.tmp.tsbuildinfo'), '{}');
    writeFileSync(join(nm, 'lib', 'index.js'), 'module.exports = 2;\n');
    expect(existsSync(join(src, 'lib', 'tsconfig.tmp.tsbuildinfo'))).toBe(false);
    expect(readFileSync(join(src, 'lib', 'index.js'), 'utf8')).toBe('module.exports = 1;\n');
    // Again: the copy is kept as it is.
    expect(await shareNodeModules(src, nm)).toEqual({ kind: 'copied' });
    expect(existsSync(join(nm, 'lib', 'tsconfig.tmp.tsbuildinfo'))).toBe(true);
  });

  it('links instead of copying above the size limit, and says so; a copy cut short (no marker) is redone', async () => {
    const { root, tree } = scene({ root: 'L1', tree: 'L1' });
    const src = join(root, 'node_modules');
    writeFileSync(join(src, 'lib', 'big.js'), 'x'.repeat(4096));
    const linked = await shareNodeModules(src, join(tree, 'node_modules'), { copyLimitBytes: 1024 });
    expect(linked).toMatchObject({
      kind: 'linked',
      detail: expect.stringMatching(/worktree.packages: "copy"/),
    });
    expect(lstatSync(join(tree, 'node_modules', 'lib')).isSymbolicLink()).toBe(true);
    // Asked for a copy now: the directory of links becomes a copy.
    expect(await shareNodeModules(src, join(tree, 'node_modules'), { mode: 'copy' })).toEqual({
      kind: 'copied',
    });
    expect(lstatSync(join(tree, 'node_modules', 'lib')).isSymbolicLink()).toBe(false);
    // A checkout whose node_modules is itself a link to a shared install is linked the same way.
    const shared = join(dir, 'shared-link');
    symlinkSync(src, shared);
    expect(await shareNodeModules(shared, join(dir, 'other', 'node_modules'))).toMatchObject({
      kind: 'linked',
    });
    rmSync(join(tree, 'node_modules', LINK_MARKER));
    // Without the marker it is not ours: a real install is kept untouched.
    expect(await shareNodeModules(src, join(tree, 'node_modules'), { mode: 'copy' })).toMatchObject({
      detail: 'the worktree has its own install',
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
