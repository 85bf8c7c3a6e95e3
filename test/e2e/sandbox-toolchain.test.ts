import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { PackagesMode } from '../../src/config/index.js';
import { createClaudeCodeExecutor } from '../../src/executor/index.js';
import { detectSandbox, prepareCommand, type SandboxRuntime } from '../../src/sandbox/index.js';
import { scenario, startModelServer } from '../../src/testing/index.js';
import { shareNodeModules } from '../../src/workspace/index.js';
import { diffTrees, hashTree } from '../support/attacks.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { gitRepo, testAgent } from '../support/scenario-fixtures.js';

// Real tools inside the sandbox: a vitest project's `npm test` (`vitest run --typecheck`: vitest
// writes node_modules/.vite-temp to load its config and `vitest/dist/tsconfig.tmp.tsbuildinfo` for
// its type check) and `tsc --noEmit`, from a task worktree outside the checkout whose node_modules
// Orchestra shares from the main checkout, both as a success criterion and as an agent's Bash.
// The checkout's node_modules stays read-only: vitest's writes land in the worktree's copy.

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const ORCHESTRA_NODE_MODULES = realpathSync(fileURLToPath(new URL('../../node_modules', import.meta.url)));

function project(root: string) {
  const checkout = gitRepo(path.join(root, 'checkout'), {
    '.gitignore': 'node_modules\n',
    'package.json': JSON.stringify({
      name: 'p',
      private: true,
      type: 'module',
      scripts: { test: 'vitest run --typecheck' },
    }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'nodenext',
        target: 'es2022',
        noEmit: true,
        skipLibCheck: true,
      },
      include: ['src'],
    }),
    'vitest.config.ts':
      "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { include: ['src/**/*.test.ts'] } });\n",
    'src/api/sum.ts': 'export const sum = (a: number, b: number): number => a + b;\n',
    'src/api/sum.test.ts':
      "import { expect, it } from 'vitest';\nimport { sum } from './sum.js';\nit('adds', () => expect(sum(2, 3)).toBe(5));\n",
    'src/api/sum.test-d.ts':
      "import { expectTypeOf, test } from 'vitest';\nimport { sum } from './sum.js';\ntest('types', () => expectTypeOf(sum(1, 2)).toEqualTypeOf<number>());\n",
  });
  // The main checkout's dependencies: Orchestra's own install, which has vitest and typescript,
  // linked entry by entry, except vitest itself and `.bin` (relative links), real as in any install.
  const nm = path.join(checkout, 'node_modules');
  mkdirSync(nm);
  for (const name of readdirSync(ORCHESTRA_NODE_MODULES)) {
    if (name.startsWith('.vite')) continue;
    if (name === 'vitest' || name === '.bin') {
      cpSync(path.join(ORCHESTRA_NODE_MODULES, name), path.join(nm, name), {
        recursive: true,
        verbatimSymlinks: true,
      });
    } else symlinkSync(path.join(ORCHESTRA_NODE_MODULES, name), path.join(nm, name));
  }
  const worktree = path.join(root, 'state', 'worktrees', 'task');
  mkdirSync(path.dirname(worktree), { recursive: true });
  spawnSync('git', ['-C', checkout, 'worktree', 'add', '-q', '-b', 'task', worktree], { encoding: 'utf8' });
  return { checkout, worktree, common: path.join(checkout, '.git') };
}

/** Share the checkout's packages with the worktree as a run does (`worktree.packages`). */
async function share(p: { checkout: string; worktree: string }, mode: PackagesMode) {
  return shareNodeModules(path.join(p.checkout, 'node_modules'), path.join(p.worktree, 'node_modules'), {
    mode,
  });
}

/** Run `argv` in the worktree as a confined criterion: the checkout and git's common dir read-only. */
function confined(p: { checkout: string; worktree: string; common: string }, argv: string[]) {
  const prepared = prepareCommand(
    { runtime: runtime(), network: false, readOnly: [p.checkout, p.common] },
    { argv, cwd: p.worktree },
  );
  const c = prepared.command;
  const r = spawnSync(c.command, c.args, { cwd: c.cwd, env: c.env, encoding: 'utf8', timeout: 240_000 });
  prepared.dispose();
  return r;
}

const runtime = (): SandboxRuntime => {
  const d = detectSandbox();
  if (!d.available) throw new Error(`bubblewrap must work for this test: ${d.reason}`);
  return d.runtime;
};

const viteTemp = () => {
  const p = path.join(ORCHESTRA_NODE_MODULES, '.vite-temp');
  return existsSync(p) ? readdirSync(p).sort() : [];
};

describe('real tools inside the sandbox', () => {
  it('runs npm test (vitest --typecheck) and tsc --noEmit as confined criteria from a worktree sharing the checkout’s node_modules', async () => {
    const dir = tempDir('orchestra-toolchain-');
    cleanup.push(dir.remove);
    const p = project(realpathSync(dir.path));
    const before = hashTree(p.checkout, (rel) => rel === '.git/objects');
    const tempBefore = viteTemp();
    // Links only (what the trial had): vitest cannot write its type check's build info.
    await share(p, 'link');
    const linked = confined(p, ['npm', 'test']);
    expect(linked.status).not.toBe(0);
    expect(`${linked.stdout}${linked.stderr}`).toMatch(/EROFS|read-only file system/i);
    // The default: the worktree's own copy of the packages.
    expect(await share(p, 'auto')).toEqual({ kind: 'copied' });
    for (const argv of [
      ['npm', 'test'],
      ['npx', 'tsc', '--noEmit', '-p', '.'],
    ]) {
      const r = confined(p, argv);
      expect(r.status, `${argv.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
      if (argv[0] === 'npm') expect(r.stdout).toMatch(/2 passed/);
    }
    expect(
      diffTrees(
        before,
        hashTree(p.checkout, (rel) => rel === '.git/objects'),
      ),
    ).toEqual([]);
    expect(viteTemp()).toEqual(tempBefore);
  }, 300_000);

  it('runs them as an agent’s Bash commands through the real Claude Code binary, owning only src/api', async () => {
    const dir = tempDir('orchestra-toolchain-agent-');
    cleanup.push(dir.remove);
    const root = realpathSync(dir.path);
    const p = project(root);
    await share(p, 'copy');
    const server = await startModelServer(
      scenario()
        .on({ taskId: 'T1' })
        .bash(
          'npm test > src/api/test-out.txt 2>&1; echo "test:$?" >> src/api/test-out.txt; npx tsc --noEmit -p . > src/api/tsc-out.txt 2>&1; echo "tsc:$?" >> src/api/tsc-out.txt',
        )
        .structured({
          summary: 'ok',
          contracts: [],
          testRequirements: [],
          dependenciesNeeded: [],
          notes: [],
        }),
    );
    cleanup.push(() => server.close({ verify: false }));
    const executor = createClaudeCodeExecutor({
      env: claudeTestEnv(server.url, root),
      model: 'claude-sonnet-4-5',
      maxTurns: 6,
      sandbox: { runtime: runtime(), readOnly: [p.checkout, p.common], network: false },
    });
    const out = await executor.start({
      runId: 'r1',
      taskId: 'T1',
      agent: testAgent(),
      packet: 'You own src/api.',
      prompt: 'Run the checks.',
      cwd: p.worktree,
      owns: ['src/api/**'],
    }).outcome;
    expect(out.status, out.reason).toBe('succeeded');
    const read = (f: string) => readFileSync(path.join(p.worktree, 'src/api', f), 'utf8');
    expect(read('test-out.txt')).toContain('test:0');
    expect(read('tsc-out.txt')).toContain('tsc:0');
  }, 300_000);
});
