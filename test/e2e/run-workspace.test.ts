import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runWorktreesDir } from '../../src/config/index.js';
import type { PlanInput } from '../../src/domain/plan.js';
import { type Hub, openHub, type StoredEvent } from '../../src/hub/index.js';
import { runOrchestra } from '../../src/run/engine.js';
import type { RunOptions } from '../../src/run/engine-types.js';
import { type Scenario, scenario, startModelServer } from '../../src/testing/index.js';
import { ORCHESTRA_BIN, runOrchestraAsync } from '../support/cli.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { OPERATION, RUN_PLAN, runRepo, runScenario, SERVER_GOOD, TYPES_FILE } from './run-fixtures.js';

// Where tasks work: dependents start from their dependencies' merged work, worktrees live outside
// the checkout (also after kill -9), every worktree can run the project's own commands, and a
// stopped run can be moved onto the user's new branch head. Real Claude Code binary, scripted model.

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const VITEST = path.join(
  path.dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
  'vitest.mjs',
);

const result = (summary: string) => ({
  summary,
  contracts: [],
  testRequirements: [],
  dependenciesNeeded: [],
  notes: [],
});

/** The checkout as the user's tools see it: worktrees git lists inside it, its status, the test files a runner collects. */
function userView(repo: string) {
  const worktrees = git(repo, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length));
  return {
    inside: worktrees.filter((w) => w !== repo && w.startsWith(`${repo}/`)),
    status: git(repo, 'status', '--porcelain', '--untracked-files=all'),
    tests: execFileSync(process.execPath, [VITEST, 'list', '--filesOnly', '--root', repo], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    })
      .split('\n')
      .filter(Boolean)
      .sort(),
  };
}

async function setup(s: Scenario, files: (repo: string) => void = () => {}) {
  const server = await startModelServer(s);
  cleanup.push(() => server.close({ verify: false }));
  const dir = tempDir('orchestra-ws-');
  cleanup.push(dir.remove);
  const root = realpathSync(dir.path);
  const { repo } = runRepo(path.join(root, 'repo'));
  // Outside src/, which the project's type check covers (vitest is not installed in it).
  mkdirSync(path.join(repo, 'test'), { recursive: true });
  writeFileSync(
    path.join(repo, 'test/index.test.ts'),
    "import { it } from 'vitest';\nit('runs', () => {});\n",
  );
  files(repo);
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.name=T', '-c', 'user.email=t@e', 'commit', '-qm', 'project files');
  const env = { ...claudeTestEnv(server.url, root), GIT_CONFIG_GLOBAL: '/dev/null' };
  const hubs: Hub[] = [];
  cleanup.push(() => {
    for (const h of hubs) h.close();
  });
  const hub = () => {
    const h = openHub({ path: path.join(repo, '.orchestra', 'hub.db') });
    hubs.push(h);
    return h;
  };
  const plan = (p: PlanInput) => {
    const file = path.join(root, 'plan.yaml');
    writeFileSync(file, stringify(p));
    return file;
  };
  const run = (planFile: string, over: Partial<RunOptions> = {}) =>
    runOrchestra({ cwd: repo, planFile, yes: true, env, homeDir: root, model: 'claude-sonnet-4-5', ...over });
  return { server, root, repo, env, hub, plan, run };
}

/** What the binary sent back to the model as tool results in the conversations of one task. */
function toolOutputs(server: { requests: readonly { body?: unknown }[] }, taskId: string): string {
  const out = new Set<string>();
  for (const r of server.requests) {
    const body = r.body as { system?: unknown; messages?: Array<{ content?: unknown }> } | undefined;
    if (!JSON.stringify(body?.system ?? '').includes(`orchestra-task: ${taskId}`)) continue;
    for (const m of body?.messages ?? [])
      for (const c of Array.isArray(m.content) ? m.content : [])
        if ((c as { type?: string }).type === 'tool_result')
          out.add(JSON.stringify((c as { content?: unknown }).content));
  }
  return [...out].join('\n');
}

const DEPENDENTS_PLAN: PlanInput = {
  version: 1,
  goal: 'Operations and a status page',
  contracts: [{ id: 'operation', kind: 'typescript', owner: 'types', definition: OPERATION }],
  tasks: [
    {
      id: 'types',
      title: 'Operation type',
      agent: 'types-specialist',
      owns: ['src/types/**'],
      provides: ['operation'],
    },
    {
      id: 'server',
      title: 'Apply operations',
      agent: 'backend-specialist',
      owns: ['src/server/**'],
      dependsOn: ['types'],
      consumes: ['operation'],
    },
    { id: 'status', title: 'Status page', agent: 'frontend-specialist', owns: ['src/status/**'] },
  ],
};

describe('where tasks start', () => {
  it('a dependent type-checks against its dependency in its own worktree; a task without one sees the file absent; no worktree is ever inside the checkout', {
    timeout: 300_000,
  }, async () => {
    const s = scenario();
    s.on({ taskId: 'types', text: '## Instructions' }).write('src/types/operation.ts', TYPES_FILE);
    s.structured(result('Operation type'));
    // Runs after types is merged (one task at a time), yet starts from the base: it has no dependency.
    s.on({ taskId: 'status', text: '## Instructions' })
      .bash(
        `test -f src/types/operation.ts && node -e "console.log('types:' + 'present')" || node -e "console.log('types:' + 'absent')"`,
      )
      .write('src/status/page.ts', 'export const page = "ok";\n');
    s.structured(result('status page'));
    // What a real model does: write the code, then run the project's type check before finishing.
    s.on({ taskId: 'server', text: '## Instructions' })
      .write('src/server/apply.ts', SERVER_GOOD)
      .bash(`node ${TSC} --noEmit -p . && node -e "console.log('tsc-' + 'passed')"`);
    s.structured(result('server applies operations'));
    const t = await setup(s);
    const before = userView(t.repo);
    expect(before.tests).toEqual(['test/index.test.ts']);
    const during: Array<ReturnType<typeof userView>> = [];
    const out = await t.run(t.plan(DEPENDENTS_PLAN), {
      maxParallel: 1,
      onEvent: (e: StoredEvent) => {
        if (e.type === 'task.started' || e.type === 'merge') during.push(userView(t.repo));
      },
    });
    expect(out.status, out.reason).toBe('succeeded');
    expect(out.merged.sort()).toEqual(['server', 'status', 'types']);

    const server = toolOutputs(t.server, 'server');
    expect(server).toContain('tsc-passed');
    expect(server).not.toMatch(/error TS/);
    const status = toolOutputs(t.server, 'status');
    expect(status).toContain('types:absent');
    const hub = t.hub();
    const ready = new Map(
      hub.events
        .list({ runId: out.runId, type: 'worktree.ready' })
        .map((e) => [e.taskId, e.type === 'worktree.ready' ? e : undefined]),
    );
    const base = hub.runs.get(out.runId)?.baseCommit as string;
    expect(ready.get('types')).toMatchObject({ start: base, dependencies: [] });
    expect(ready.get('status')).toMatchObject({ start: base, dependencies: [] });
    expect(ready.get('server')).toMatchObject({ dependencies: ['types'] });
    expect(ready.get('server')?.start).not.toBe(base);
    // The order proves it: status ran after types was merged, and still started from the base.
    const events = hub.events.list({ runId: out.runId });
    const typesMerged = events.findIndex((e) => e.type === 'merge' && e.taskId === 'types' && e.ok);
    expect(events.findIndex((e) => e.type === 'task.started' && e.taskId === 'status')).toBeGreaterThan(
      typesMerged,
    );
    // The packet says what the worktree holds.
    const packet = JSON.stringify(
      t.server.requests.find((r) => JSON.stringify(r.body).includes('orchestra-task: server'))?.body,
    );
    expect(packet).toContain("Your dependencies' work is merged here: types.");
    // Each task merged once, and the server's merge carries only its own file.
    const merges = git(t.repo, 'log', '--merges', '--format=%s', out.integrationBranch).split('\n');
    for (const id of ['types', 'server', 'status'])
      expect(merges.filter((m) => m.includes(`orchestra/${out.runId}/${id}`))).toHaveLength(1);
    const serverMerge = git(
      t.repo,
      'log',
      '--merges',
      '--format=%H',
      '--grep',
      `/server`,
      out.integrationBranch,
    );
    expect(git(t.repo, 'diff', '--name-only', `${serverMerge}^1`, serverMerge)).toBe('src/server/apply.ts');

    // Never inside the checkout: not during the run, not after.
    expect(during.length).toBeGreaterThanOrEqual(6);
    for (const v of [...during, userView(t.repo)]) expect(v).toEqual(before);
    expect(existsSync(path.join(t.repo, '.orchestra', 'worktrees'))).toBe(false);
  });
});

describe('worktrees outside the checkout after kill -9', () => {
  it('leaves no worktree inside the repository, the status and collected tests unchanged; clean removes what is left', {
    timeout: 300_000,
  }, async () => {
    const t = await setup(runScenario({ repeat: 2 }));
    const planFile = t.plan(RUN_PLAN);
    const before = userView(t.repo);
    const env: NodeJS.ProcessEnv = { ...process.env, ...t.env, NO_COLOR: '1' };
    delete env.CLAUDECODE;
    // Killed once the first task's worktree exists and its agent works in it.
    const killed = await new Promise<void>((resolve) => {
      const child: ChildProcess = spawn(
        process.execPath,
        [ORCHESTRA_BIN, 'run', '--plan', planFile, '--yes', '--json'],
        { cwd: t.repo, env, stdio: ['ignore', 'pipe', 'ignore'] },
      );
      let buffer = '';
      child.stdout?.on('data', (d: Buffer) => {
        buffer += d.toString();
        if (/"type":"task\.started"/.test(buffer)) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    void killed;
    const runId = git(t.repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/orchestra/')
      .split('\n')[0]
      ?.split('/')[1] as string;
    expect(runId).toBeTruthy();
    const dir = runWorktreesDir({ root: t.repo, runId });
    expect(existsSync(dir)).toBe(true);
    expect(userView(t.repo)).toEqual(before);

    const cleaned = await runOrchestraAsync(['clean'], { cwd: t.repo, env });
    expect(cleaned.code, cleaned.stderr).toBe(0);
    expect(cleaned.stdout).toContain(`removed run ${runId}`);
    expect(existsSync(dir)).toBe(false);
    expect(userView(t.repo)).toEqual(before);
    expect(
      git(t.repo, 'worktree', 'list', '--porcelain')
        .split('\n')
        .filter((l) => l.startsWith('worktree ')),
    ).toEqual([`worktree ${t.repo}`]);
  });
});

const GREET = "export function greet(name) {\n  return 'hello ' + name;\n}\n";
const LOCK = (extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ name: 'collab', lockfileVersion: 3, requires: true, packages: { '': { dependencies: { greet: '1.0.0' } }, 'node_modules/greet': { version: '1.0.0' } }, ...extra }, null, 2)}\n`;

/** A project with its packages installed in the checkout (as after `npm ci`) and its own test command. */
function installedProject(repo: string) {
  const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
  pkg.scripts = { test: 'node test/greet.mjs' };
  pkg.dependencies = { greet: '1.0.0' };
  writeFileSync(path.join(repo, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  writeFileSync(path.join(repo, 'package-lock.json'), LOCK());
  writeFileSync(path.join(repo, '.gitignore'), 'node_modules\n');
  mkdirSync(path.join(repo, 'test'), { recursive: true });
  writeFileSync(
    path.join(repo, 'test/greet.mjs'),
    "import { greet } from 'greet';\nif (greet('x') !== 'hello x') process.exit(1);\nconsole.log('greet-' + 'passed');\n",
  );
  mkdirSync(path.join(repo, 'node_modules/greet'), { recursive: true });
  writeFileSync(
    path.join(repo, 'node_modules/greet/package.json'),
    JSON.stringify({ name: 'greet', version: '1.0.0', type: 'module', main: 'index.js' }),
  );
  writeFileSync(path.join(repo, 'node_modules/greet/index.js'), GREET);
  // The setup command only records where it ran (no network here); an argument array, no shell.
  // It runs in the sandbox, writable only in its worktree: the record goes to its node_modules.
  writeFileSync(
    path.join(repo, 'orchestra.config.json'),
    JSON.stringify({
      worktree: {
        setup: [
          process.execPath,
          '-e',
          `const fs = require('fs'); fs.mkdirSync('node_modules', { recursive: true }); fs.appendFileSync(${JSON.stringify(SETUP_RECORD)}, process.cwd() + '\\n')`,
        ],
      },
    }),
  );
}

const SETUP_RECORD = 'node_modules/.setup-ran';

describe('every worktree is ready to run the project commands', () => {
  it("runs the project's own test command with the checkout's packages; a changed lockfile runs the setup command once, in that worktree only", {
    timeout: 300_000,
  }, async () => {
    const s = scenario();
    s.on({ taskId: 'deps', text: '## Instructions' })
      .read('package-lock.json')
      .write('package-lock.json', LOCK({ packagesNote: 'updated by deps' }));
    s.structured(result('lockfile updated'));
    s.on({ taskId: 'app', text: '## Instructions' })
      .bash(`npm test && node -e "console.log('npm-test-' + 'exit-0')"`)
      .bash(`test -e ${SETUP_RECORD} && echo setup-ran-here || echo no-setup-here`)
      .write('src/app/main.ts', 'export const main = 1;\n');
    s.structured(result('app'));
    s.on({ taskId: 'consumer', text: '## Instructions' })
      .bash(`cat ${SETUP_RECORD}`)
      .write('src/consumer/main.ts', 'export const consumer = 1;\n');
    s.structured(result('consumer'));
    const t = await setup(s, (repo) => installedProject(repo));
    const userModules = listTree(path.join(t.repo, 'node_modules'));
    const out = await t.run(
      t.plan({
        version: 1,
        goal: 'Packages',
        tasks: [
          { id: 'deps', title: 'Lockfile', agent: 'backend-specialist', owns: ['package-lock.json'] },
          { id: 'app', title: 'App', agent: 'frontend-specialist', owns: ['src/app/**'] },
          {
            id: 'consumer',
            title: 'Consumer',
            agent: 'backend-specialist',
            owns: ['src/consumer/**'],
            dependsOn: ['deps'],
          },
        ],
      }),
      { maxParallel: 2 },
    );
    expect(out.status, out.reason).toBe('succeeded');
    const app = toolOutputs(t.server, 'app');
    expect(app).toContain('greet-passed');
    expect(app).toContain('npm-test-exit-0');
    const hub = t.hub();
    const ready = hub.events.list({ runId: out.runId, type: 'worktree.ready' });
    const by = (id: string) => ready.filter((e) => e.taskId === id);
    expect(by('app')).toMatchObject([{ setup: 'copied', ok: true }]);
    expect(by('deps')).toMatchObject([{ setup: 'copied', ok: true }]);
    expect(by('consumer')).toMatchObject([{ setup: 'command', ok: true, dependencies: ['deps'] }]);
    // Once per worktree whose lockfile changed, and there only.
    const consumerPath = hub.events
      .list({ runId: out.runId, type: 'worktree.ready' })
      .find((e) => e.taskId === 'consumer');
    const where = consumerPath?.type === 'worktree.ready' ? consumerPath.path : '?';
    // Tool results are JSON text: the record's line ends in an escaped newline.
    expect(toolOutputs(t.server, 'consumer').split(`${where}\\n`).length - 1).toBe(1);
    expect(app).toContain('no-setup-here');
    // The copies were never committed, and the user's node_modules is as it was.
    expect(git(t.repo, 'ls-tree', '-r', '--name-only', out.integrationBranch)).not.toMatch(/node_modules/);
    expect(listTree(path.join(t.repo, 'node_modules'))).toEqual(userModules);
    // The report shows the time each worktree took to get ready.
    const report = await runOrchestraAsync(['report', out.runId], {
      cwd: t.repo,
      env: { ...t.env, NO_COLOR: '1' },
    });
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/setup/i);
  });
});

describe('--resume --rebase', () => {
  it('moves a stopped run onto the fix the user committed, replays merged work without its agent, and ends green', {
    timeout: 300_000,
  }, async () => {
    const plan: PlanInput = structuredClone(RUN_PLAN) as PlanInput;
    const client = plan.tasks.find((x) => x.id === 'client');
    if (client)
      client.successCriteria = [{ description: 'config present', command: 'test -f src/config.json' }];
    const t = await setup(runScenario());
    const first = await t.run(t.plan(plan), { budgetUsd: 0.01, waves: 'dynamic', maxParallel: 1 });
    expect(first.status).toBe('stopped');
    const hub = t.hub();
    expect(hub.tasks.get(first.runId, 'types')?.status).toBe('merged');
    const typesSessions = () => toolOutputsCount(t.server, 'types');
    const sessionsBefore = typesSessions();

    // The user fixes what the client's criterion needs on their own branch.
    writeFileSync(path.join(t.repo, 'src/config.json'), '{}\n');
    git(t.repo, 'add', 'src/config.json');
    git(t.repo, '-c', 'user.name=U', '-c', 'user.email=u@e', 'commit', '-qm', 'add config');
    const head = git(t.repo, 'rev-parse', 'HEAD');

    const second = await runOrchestra({
      cwd: t.repo,
      resumeRunId: first.runId,
      rebase: true,
      yes: true,
      env: t.env,
      homeDir: t.root,
      budgetUsd: 5,
    });
    expect(second.status, second.reason).toBe('succeeded');
    expect(hub.runs.get(first.runId)?.baseCommit).toBe(head);
    // The run kept its settings: still dynamic (no wave events), and its merge train replayed types.
    expect(hub.events.list({ runId: first.runId, type: 'wave.started' })).toHaveLength(0);
    expect(typesSessions()).toBe(sessionsBefore);
    expect(
      hub.events.list({ runId: first.runId, type: 'task.started' }).filter((e) => e.taskId === 'types'),
    ).toHaveLength(1);
    expect(git(t.repo, 'merge-base', '--is-ancestor', head, second.integrationBranch)).toBe('');
    expect(git(t.repo, 'show', `${second.integrationBranch}:src/config.json`)).toBe('{}');
    const notes = hub.events
      .list({ runId: first.runId, type: 'note' })
      .map((e) => (e.type === 'note' ? e.text : ''));
    expect(notes.some((n) => /^rebased from \w+ onto \w+ \(main\)/.test(n))).toBe(true);
    expect(notes.some((n) => /^re-validating 1 task merged before the resume: types/.test(n))).toBe(true);
  });
});

/** Every path under `dir`, sorted. */
function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

function toolOutputsCount(server: { requests: readonly { body?: unknown }[] }, taskId: string): number {
  return server.requests.filter((r) => JSON.stringify(r.body ?? '').includes(`orchestra-task: ${taskId}`))
    .length;
}
