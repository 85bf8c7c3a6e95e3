import { describe, expect, it } from 'vitest';
import type { Plan, PlanInput } from '../domain/plan.js';
import { constraintsFromRequest } from './constraints.js';
import { type PlannerProblem, planRequest } from './planner.js';

const AGENTS = ['types-specialist', 'backend-specialist', 'frontend-specialist'];
const good: PlanInput = {
  version: 1,
  goal: 'Collaborative editing',
  tasks: [
    { id: 'types', title: 'Types', agent: 'types-specialist', owns: ['src/types/**'] },
    {
      id: 'server',
      title: 'Server',
      agent: 'backend-specialist',
      owns: ['src/server/**'],
      dependsOn: ['types'],
    },
  ],
};
const cyclic: PlanInput = {
  ...good,
  tasks: [
    { id: 'types', title: 'Types', agent: 'types-specialist', dependsOn: ['server'] },
    { id: 'server', title: 'Server', agent: 'backend-specialist', dependsOn: ['types'] },
  ],
};
// A stand-in validator: only cycles, enough to drive the loop.
const validate = (p: Plan): PlannerProblem[] =>
  p.tasks.some((t) => t.dependsOn.some((d) => p.tasks.find((x) => x.id === d)?.dependsOn.includes(t.id)))
    ? [{ severity: 'error', code: 'cycle', message: 'dependency cycle: types → server → types' }]
    : [];
const settings = (repairRounds = 2) => ({
  request: 'Collaborative editing. PostgreSQL + Redis, no socket.io, sub-100ms latency.',
  survey: '# Repository survey',
  constraints: constraintsFromRequest(
    'Collaborative editing. PostgreSQL + Redis, no socket.io, sub-100ms latency.',
  ),
  knownAgents: AGENTS,
  repairRounds,
});

describe('planRequest', () => {
  it('repairs an invalid first answer, sending the problems in the second prompt', async () => {
    const answers = [cyclic, good];
    const prompts: string[] = [];
    const out = await planRequest(settings(), {
      ask: async ({ prompt }) => {
        prompts.push(prompt);
        return { output: answers.shift() };
      },
      validate,
    });
    expect(out.ok).toBe(true);
    expect(out.rounds).toHaveLength(2);
    expect(prompts[1]).toContain('[cycle] dependency cycle: types → server → types');
    expect(prompts[0]).toContain('Excluded dependency (never add it): socket.io');
    if (!out.ok) return;
    expect(out.plan.architecture.excludedDependencies).toEqual(['socket.io']);
    expect(out.plan.architecture.constraints).toEqual(['Sub-100ms latency']);
    expect(out.plan.architecture.decisions.map((d) => d.decision)).toContain('PostgreSQL for persistence');
  });

  it('gives up after the last round with the problems', async () => {
    let calls = 0;
    const out = await planRequest(settings(1), {
      ask: async () => {
        calls++;
        return { output: cyclic };
      },
      validate,
    });
    expect(calls).toBe(2);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.problems.map((p) => p.code)).toEqual(['cycle']);
  });

  it('reports schema problems of a malformed answer and maps near agent names with a warning', async () => {
    const answers: unknown[] = [
      { version: 1, goal: 'x' },
      { ...good, tasks: [{ ...good.tasks[0], agent: 'types' }] },
    ];
    const prompts: string[] = [];
    const out = await planRequest(settings(), {
      ask: async ({ prompt }) => {
        prompts.push(prompt);
        return { output: answers.shift() };
      },
      validate,
    });
    expect(prompts[1]).toMatch(/\[schema\] tasks: /);
    expect(out.ok).toBe(true);
    if (out.ok) expect(out.plan.tasks[0]?.agent).toBe('types-specialist');
    expect(out.warnings).toContain('task "types": unknown agent "types" mapped to "types-specialist"');
  });
});
