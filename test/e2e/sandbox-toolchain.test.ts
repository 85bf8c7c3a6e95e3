import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createClaudeCodeExecutor } from '../../src/executor/index.js';
import { detectSandbox, prepareCommand, type SandboxRuntime } from '../../src/sandbox/index.js';
import { scenario, startModelServer } from '../../src/testing/index.js';
import { diffTrees, hashTree } from '../support/attacks.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { gitRepo, testAgent } from '../support/scenario-fixtures.js';

// Real tools inside the sandbox: a vitest project's `npm test` (vitest writes node_modules/.vite-temp
// to load its config) and `tsc --noEmit`, from a task worktree outside the checkout whose
// node_modules is the main checkout's (a link), both as a success criterion and as an agent's Bash.
// The shared node_modules stays read-only: vitest's writes land in a private layer.

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
      scripts: { test: 'vitest run' },
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
  });
  // The main checkout's dependencies (here: Orchestra's own install, which has vitest and typescript).
  symlinkSync(ORCHESTRA_NODE_MODULES, path.join(checkout, 'node_modules'));
  const worktree = path.join(root, 'state', 'worktrees', 'task');
  mkdirSync(path.dirname(worktree), { recursive: true });
  spawnSync('git', ['-C', checkout, 'worktree', 'add', '-q', '-b', 'task', worktree], { encoding: 'utf8' });
  // The task worktree shares the checkout's node_modules, as Orchestra links it.
  symlinkSync(path.join(checkout, 'node_modules'), path.join(worktree, 'node_modules'));
  return { checkout, worktree, common: path.join(checkout, '.git') };
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
  it('runs npm test (vitest) and tsc --noEmit as confined criteria from a worktree sharing the checkout’s node_modules', () => {
    const dir = tempDir('orchestra-toolchain-');
    cleanup.push(dir.remove);
    const p = project(realpathSync(dir.path));
    const before = hashTree(p.checkout, (rel) => rel === '.git/objects');
    const tempBefore = viteTemp();
    for (const argv of [
      ['npm', 'test'],
      ['npx', 'tsc', '--noEmit', '-p', '.'],
    ]) {
      const prepared = prepareCommand(
        { runtime: runtime(), network: false, readOnly: [p.checkout, p.common] },
        { argv, cwd: p.worktree },
      );
      const c = prepared.command;
      const r = spawnSync(c.command, c.args, { cwd: c.cwd, env: c.env, encoding: 'utf8', timeout: 240_000 });
      prepared.dispose();
      expect(r.status, `${argv.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
      if (argv[0] === 'npm') expect(r.stdout).toMatch(/1 passed/);
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
