import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { occurrences, repeatedLines } from '../../test/support/request-lines.js';
import { loadAgents } from '../agents/index.js';
import type { AgentDefinition } from '../domain/agent.js';
import { type Plan, planSchema } from '../domain/plan.js';
import { type TaskResult, taskResultSchema } from '../domain/task-result.js';
import { buildPacket, type Hub, openHub } from '../hub/index.js';
import { buildCompletionHandoff, type HandoffChange, storeCompletionHandoff } from './handoff.js';
import { promptFor } from './task-runner.js';

// The packets of the ufo trial's real plan (docs/trials/2026-12-02-ufo-url-patterns.md), rebuilt from
// what its specialists really returned and wrote: constraints, excluded packages, a dependency
// chain consuming contracts, handoffs with declarations, a fix round.

const dir = path.join(import.meta.dirname, 'fixtures', 'ufo-trial');
const plan: Plan = planSchema.parse(JSON.parse(readFileSync(path.join(dir, 'plan.json'), 'utf8')));
const results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as Record<string, unknown>;
const result = (key: string): TaskResult => taskResultSchema.parse(results[key]);
const source = (name: string) => readFileSync(path.join(dir, `${name}.ts.txt`), 'utf8');
const RUN = 'r-ufo';

/** Each task's diff against the base, as the trial's branches had it. */
const CHANGES: Record<string, HandoffChange[]> = {
  pattern: [
    { path: 'src/pattern.ts', status: 'A' },
    { path: 'test/pattern.test.ts', status: 'A' },
  ],
  match: [
    { path: 'src/match.ts', status: 'A' },
    { path: 'test/match.test.ts', status: 'A' },
  ],
  build: [
    { path: 'src/build.ts', status: 'A' },
    { path: 'test/build.test.ts', status: 'A' },
  ],
};
const FILES: Record<string, string> = {
  'src/pattern.ts': source('pattern'),
  'src/match.ts': source('match'),
  'src/build.ts': source('build'),
};

let hub: Hub;
let home: string;
let agents: Map<string, AgentDefinition>;

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), 'orchestra-ufo-'));
  agents = new Map(loadAgents({ cwd: home, homeDir: home }).agents.map((a) => [a.name, a]));
  hub = openHub({ path: ':memory:' });
  hub.runs.create({ id: RUN, goal: plan.goal, repo: '/ufo', plan });
  // What `plan create` recorded before constraints had only their own lists: an old hub still has it.
  for (const c of plan.architecture.constraints)
    hub.decisions.add({
      runId: RUN,
      id: `constraint-${c
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .slice(0, 40)}`,
      decision: `Constraint: ${c}`,
      source: 'user',
    });
  for (const x of plan.architecture.excludedDependencies)
    hub.decisions.add({
      runId: RUN,
      id: `exclude-${x}`,
      decision: `Excluded dependency: ${x}`,
      source: 'user',
    });
  for (const [taskId, key] of [
    ['pattern', 'pattern'],
    ['build', 'build'],
    ['match', 'match'],
    ['match', 'match#fix'],
  ] as const) {
    const task = plan.tasks.find((t) => t.id === taskId)!;
    const handoff = await buildCompletionHandoff({
      task,
      plan,
      agentName: task.agent,
      result: result(key),
      changes: CHANGES[taskId] ?? [],
      readFile: (p) => FILES[p],
      now: () => new Date('2026-12-02T17:15:00Z'),
    });
    storeCompletionHandoff(hub, RUN, taskId, handoff);
  }
});
afterAll(() => {
  hub?.close();
  rmSync(home, { recursive: true, force: true });
});

async function packetOf(taskId: string) {
  const task = plan.tasks.find((t) => t.id === taskId)!;
  const p = await buildPacket({
    plan,
    taskId,
    agent: agents.get(task.agent)!,
    hub: { hub, runId: RUN },
    workspace: { dependencies: task.dependsOn },
  });
  // The system prompt's part that is Orchestra's, and the first user message.
  return { task, text: `${p.text}\n${promptFor(task, { respawned: false, fixes: 0 })}` };
}

describe('the packets of the ufo trial', () => {
  it.each(plan.tasks.map((t) => t.id))('%s: no line of 40 characters or more twice', async (id) => {
    const { text } = await packetOf(id);
    expect(repeatedLines(text)).toEqual([]);
  });

  it.each(plan.tasks.map((t) => t.id))(
    '%s: each constraint and excluded package once, in its own list; no made-up decision ids',
    async (id) => {
      const { text } = await packetOf(id);
      for (const c of plan.architecture.constraints) expect(occurrences(text, c), c).toBe(1);
      for (const x of plan.architecture.excludedDependencies)
        expect(occurrences(text, `- ${x}\n`), x).toBe(1);
      expect(text).not.toMatch(/constraint-|exclude-|Constraint: |Excluded dependency: /);
      expect(text).toContain('Never add these dependencies:\n- path-to-regexp');
    },
  );

  it.each(plan.tasks.map((t) => t.id))('%s: each signature once; sentences end once', async (id) => {
    const { text } = await packetOf(id);
    for (const decl of [
      /function compilePattern\(/g,
      /type PatternSegment =/g,
      /type PatternParams =/g,
      /function matchURL\(/g,
      /function buildURL\(/g,
    ])
      expect((text.match(decl) ?? []).length, String(decl)).toBeLessThanOrEqual(1);
    expect(text).not.toMatch(/\w\.\.(\s|$)/);
    expect(text).not.toContain('= {}');
  });

  it('exports-docs: three consumed contracts, three handoffs, its owned files readable', async () => {
    const { text } = await packetOf('exports-docs');
    for (const dep of ['pattern', 'match', 'build']) expect(text).toContain(`## Handoff from ${dep}\n`);
    for (const decl of [/function compilePattern\(/g, /function matchURL\(/g, /function buildURL\(/g])
      expect((text.match(decl) ?? []).length).toBe(1);
    // What to do with a consumed contract is said once for the three.
    expect(occurrences(text, 'as written; ask its owner through the hub for a change.')).toBe(1);
    expect(text).toContain(
      'You own these paths: read them, and write only them:\n- src/index.ts\n- README.md',
    );
    expect(text).toContain('You may also read:\n- src/pattern.ts\n- src/match.ts\n- src/build.ts\n');
    expect(text).toContain("Your dependencies' work is merged here: pattern, match, build.");
    // The round trip both dependencies asked for is this task's to write: the trial's packet lost it.
    expect(text).toMatch(/Tests it still needs:\n- round trip with buildURL: matchURL\(buildURL/);
    expect(text).toMatch(/Tests it still needs:\n- round trip: matchURL\(buildURL/);
  });

  it("build: pattern's declarations come from the contract it consumes, not again from the handoff", async () => {
    const { text } = await packetOf('build');
    expect(text).toContain('## Contract pattern-api: you consume it from pattern');
    expect(text).toContain('## Handoff from pattern\n');
    expect(text).not.toContain('Declarations you may import');
    expect(text).toContain('For you: contracts pattern-api and files src/pattern.ts.');
  });

  it('match after its fix round: its own handoff keeps its notes once and says what the fix needed', async () => {
    const { text } = await packetOf('match');
    expect(text).toContain('## What this task already delivered (its handoff)');
    expect(text).toContain(
      'Needs: A writable node_modules for the validator/worktrees (vitest --typecheck writes a temp tsbuildinfo into node_modules/vitest/dist).',
    );
    expect(text).not.toContain(').,');
  });
});
