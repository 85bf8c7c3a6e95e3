import { realpathSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/index.js';
import type { PlanInput } from '../../src/domain/plan.js';
import { openHub } from '../../src/hub/index.js';
import { runOrchestra } from '../../src/run/engine.js';
import { scenario, startModelServer } from '../../src/testing/index.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import {
  occurrences,
  repeatedLines,
  requestText,
  systemText,
  turnRequests,
} from '../support/request-lines.js';
import { gitRepo } from '../support/scenario-fixtures.js';

// What the agents really send: the scripted server records every request in full.

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** A line of AGENTS.md no other file has: it must reach every agent exactly once. */
const AGENTS_LINE = 'Keep AGENTS.md updated whenever the module layout of src/ changes.';
/** Claude Code's own system prompt (the preset) opens with this. */
const PRESET_MARK = /You are an? (?:interactive )?agent|You are Claude Code/;

const ITEM = 'export interface Item { id: string; title: string }';
const FILES = {
  model: ['src/model/item.ts', `${ITEM}\n`],
  store: [
    'src/store/store.ts',
    "import type { Item } from '../model/item.js';\n\nexport function createStore(): { add(item: Item): void; all(): Item[] } {\n  const items: Item[] = [];\n  return {\n    add: (item) => {\n      items.push(item);\n    },\n    all: () => [...items],\n  };\n}\n",
  ],
  api: [
    'src/api/api.ts',
    "import { createStore } from '../store/store.js';\n\nexport function listTitles(): string[] {\n  return createStore()\n    .all()\n    .map((i) => i.title);\n}\n",
  ],
  cli: [
    'src/cli/main.ts',
    "import { listTitles } from '../api/api.js';\n\nexport function main(): string {\n  return listTitles().join(', ');\n}\n",
  ],
} as const;
type TaskId = keyof typeof FILES;
const CHAIN: TaskId[] = ['model', 'store', 'api', 'cli'];

/** A constraint of the plan (40 characters or more): once in every specialist's request. */
const CONSTRAINT = 'No global mutable state outside the store module';

/** Four tasks in a chain, each consuming the contract of the one before. */
const CHAIN_PLAN: PlanInput = {
  version: 1,
  goal: 'A small item list with a store, an API and a CLI',
  architecture: {
    decisions: [{ id: 'd1', decision: 'Plain in-memory storage, no database', rationale: 'a demo' }],
    constraints: [CONSTRAINT],
    excludedDependencies: ['socket.io'],
  },
  contracts: [
    { id: 'item', kind: 'typescript', owner: 'model', definition: ITEM },
    {
      id: 'store-api',
      kind: 'event',
      owner: 'store',
      definition: 'createStore(): { add(item: Item): void; all(): Item[] }',
    },
    { id: 'titles', kind: 'event', owner: 'api', definition: 'listTitles(): string[]' },
  ],
  tasks: CHAIN.map((id, i) => {
    const prev = CHAIN[i - 1];
    const provides = ['item', 'store-api', 'titles'][i];
    const consumes = ['item', 'store-api', 'titles'][i - 1];
    return {
      id,
      title: `Build the ${id} module`,
      agent: i === 0 ? 'types-specialist' : i === 3 ? 'frontend-specialist' : 'backend-specialist',
      instructions: `Write ${FILES[id][0]} as the contracts say; keep it small and typed.`,
      owns: [`src/${id}/**`],
      reads: CHAIN.slice(0, i).map((p) => `src/${p}/**`),
      dependsOn: prev ? [prev] : [],
      provides: provides ? [provides] : [],
      consumes: consumes ? [consumes] : [],
      successCriteria: [{ description: `${id} exists`, command: `test -f ${FILES[id][0]}` }],
    };
  }),
};

const result = (summary: string, notes: string[] = []) => ({
  summary,
  contracts: [],
  testRequirements: [],
  dependenciesNeeded: [],
  notes,
});

function chainScenario() {
  const s = scenario();
  s.on({ agent: 'orchestrator', text: '# Request' })
    .structured(CHAIN_PLAN as Record<string, unknown>)
    .usage({ input: 4000, output: 600 });
  for (const id of CHAIN) {
    const [file, content] = FILES[id];
    s.on({ taskId: id }).read('package.json').usage({ input: 900, output: 30 });
    s.write(file, content).usage({ input: 1000, output: 120 });
    s.structured(
      result(`${id} written`, [`Dependents of ${id}: import from ${file} with the .js extension`]),
    ).usage({ input: 1100, output: 40 });
  }
  return s;
}

describe('what the agents receive (real binary, scripted model)', () => {
  it('four chained tasks and the orchestrator: preset kept, role first, no line twice, project memory once', async () => {
    const server = await startModelServer(chainScenario());
    cleanup.push(() => server.close({ verify: false }));
    const dir = tempDir('orchestra-prompt-');
    cleanup.push(dir.remove);
    const root = realpathSync(dir.path);
    const repo = gitRepo(path.join(root, 'repo'), {
      'package.json': JSON.stringify({ name: 'items', private: true, type: 'module' }, null, 2),
      'tsconfig.json': JSON.stringify(
        {
          compilerOptions: {
            strict: true,
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            noEmit: true,
          },
          include: ['src'],
        },
        null,
        2,
      ),
      'src/index.ts': 'export const name = "items";\n',
      'CLAUDE.md': '# Items\n\nRead the conventions first.\n@AGENTS.md\n',
      'AGENTS.md': `# Conventions\n\n- ${AGENTS_LINE}\n- ESM imports end in .js.\n`,
    });
    const env = { ...claudeTestEnv(server.url, root), GIT_CONFIG_GLOBAL: '/dev/null' };

    // The orchestrator plans the request (which names one package to leave out, and nothing
    // else), and the run plays that plan: its constraints and exclusions reach every specialist.
    const out = await runOrchestra({
      cwd: repo,
      request: 'Build an item list with a store, an API and a CLI. use ws, without socket.io.',
      yes: true,
      env,
      homeDir: root,
      model: 'claude-sonnet-4-5',
      maxParallel: 2,
    });
    expect(out.status, out.reason).toBe('succeeded');
    expect(out.merged.sort()).toEqual([...CHAIN].sort());
    server.assertAllConsumed();

    const hub = openHub({ path: path.join(repo, '.orchestra', 'hub.db') });
    cleanup.push(() => hub.close());
    const architecture = hub.runs.get(out.runId)?.plan?.architecture;
    expect(architecture?.excludedDependencies).toEqual(['socket.io']);
    expect(architecture?.constraints).toEqual([CONSTRAINT]);

    const turns = turnRequests(server.requests);
    expect(turns).toHaveLength(1 + CHAIN.length * 3);
    // The orchestrator's rules are its role's; "How to answer" does not say them again.
    const orchestrator = systemText(turns[0]!);
    expect(orchestrator).toContain('# How to answer');
    expect(orchestrator).toMatch(
      /Two tasks that can run at the same\s+time must never own overlapping paths/,
    );
    expect(orchestrator).not.toMatch(/never own overlapping paths; use dependsOn|only these agents:/);
    for (const body of turns) {
      const system = systemText(body);
      const text = requestText(body);
      expect(system).toMatch(PRESET_MARK);
      expect(repeatedLines(text)).toEqual([]);
      // The project's memory, once, also for the orchestrator.
      expect(occurrences(text, AGENTS_LINE)).toBe(1);
      // The role before anything about the task.
      const role = system.indexOf('# Your role: ');
      expect(role).toBeGreaterThan(0);
      expect(role).toBeLessThan(system.indexOf('orchestra-task: '));
      expect(role).toBeLessThan(system.indexOf('# Project instructions'));
    }
    const specialist = turns.filter((b) => /^orchestra-task: (model|store|api|cli)$/m.test(systemText(b)));
    expect(specialist).toHaveLength(CHAIN.length * 3);
    for (const body of specialist) {
      const system = systemText(body);
      expect(system.indexOf('# Architecture of this run')).toBeLessThan(system.indexOf('# Task '));
      // The first user turn only says to begin; the instructions are in the system prompt once.
      const first = body.messages.find((m) => m.role === 'user');
      expect(requestText({ messages: first ? [first] : [] })).toMatch(/Begin task (model|store|api|cli)\./);
      expect(occurrences(requestText(body), 'as the contracts say; keep it small and typed.')).toBe(1);
      // A constraint and an excluded package once each, in their own lists: never as a decision.
      expect(occurrences(system, CONSTRAINT)).toBe(1);
      expect(occurrences(system, '- socket.io\n')).toBe(1);
      expect(system).not.toMatch(/constraint-|exclude-|Excluded dependency: /);
    }
    // A dependent gets its dependency's note, and the consumed contract only once.
    const cli = specialist.find((b) => systemText(b).includes('orchestra-task: cli'));
    const cliText = systemText(cli ?? { messages: [] });
    expect(cliText).toContain('## Handoff from api');
    expect(cliText).toContain('Dependents of api: import from src/api/api.ts with the .js extension');
    // The signature once: the consumed contract declares it; the handoff does not repeat it.
    expect(occurrences(cliText, 'listTitles(): string[]')).toBe(1);
    // Its owned paths read as readable; what it may read besides them listed once.
    expect(cliText).toContain('You own these paths: read them, and write only them:\n- src/cli/**');

    // The packet's tokens, per task: what the closing note compares.
    const packets = hub.events
      .list({ runId: out.runId })
      .flatMap((e) => (e.type === 'packet.built' ? [`${e.taskId}: ${e.tokens}`] : []));
    console.log(`packet tokens (four-task chain): ${packets.join(', ')}`);
  }, 240_000);

  it('the demo plan: preset kept, role first, no line of 40 characters twice in any request', async () => {
    const tmp = tempDir('orchestra-prompt-demo-');
    cleanup.push(tmp.remove);
    const r = await runDemo({ tmpDir: realpathSync(tmp.path) });
    expect(r.outcome.status, r.outcome.reason).toBe('succeeded');
    const turns = turnRequests(r.requests);
    expect(turns.length).toBeGreaterThan(10);
    for (const body of turns) {
      const system = systemText(body);
      expect(system).toMatch(PRESET_MARK);
      expect(repeatedLines(requestText(body))).toEqual([]);
      const role = system.indexOf('# Your role: ');
      expect(role).toBeGreaterThan(0);
      expect(role).toBeLessThan(system.indexOf('orchestra-task: '));
    }
    const packets = r.report.tasks.map((t) => `${t.id}: ${t.packet?.tokens ?? '?'}`);
    console.log(`packet tokens (demo): ${packets.join(', ')}`);
  }, 300_000);
});
