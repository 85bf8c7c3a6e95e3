import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type PlanInput, planSchema } from '../domain/plan.js';
import { buildTaskGraph } from '../scheduler/index.js';
import { checkPlanText } from './plan-check.js';
import { concurrencyOf } from './plan-concurrency.js';
import { stronglyConnected } from './plan-cycles.js';
import type { PlanProblem } from './plan-problem.js';
import { validatePlan } from './plan-validate.js';

const AGENTS = ['types-specialist', 'backend-specialist', 'frontend-specialist', 'test-specialist'];
const ok = [{ description: 'tests pass', command: 'npx vitest run' }];

/** A valid plan: types first, then server and client in parallel, then tests. */
function basePlan(): PlanInput & { tasks: NonNullable<PlanInput['tasks']> } {
  return {
    version: 1,
    goal: 'Collaborative editing',
    contracts: [
      {
        id: 'operation',
        kind: 'typescript',
        owner: 'types',
        definition: 'export interface Operation { userId: string }',
      },
    ],
    tasks: [
      {
        id: 'types',
        title: 'Types',
        agent: 'types-specialist',
        owns: ['src/types/**'],
        provides: ['operation'],
        successCriteria: ok,
      },
      {
        id: 'server',
        title: 'Server',
        agent: 'backend-specialist',
        owns: ['src/server/**'],
        reads: ['src/types/**'],
        dependsOn: ['types'],
        consumes: ['operation'],
        successCriteria: ok,
      },
      {
        id: 'client',
        title: 'Client',
        agent: 'frontend-specialist',
        owns: ['src/client/**'],
        reads: ['src/types/**'],
        dependsOn: ['types'],
        consumes: ['operation'],
        successCriteria: ok,
      },
      {
        id: 'tests',
        title: 'Tests',
        agent: 'test-specialist',
        owns: ['test/**'],
        reads: ['src/**'],
        dependsOn: ['server', 'client'],
        successCriteria: ok,
      },
    ],
  };
}

type Base = ReturnType<typeof basePlan>;

function check(mutate: (p: Base) => void = () => {}, knownAgents: readonly string[] | null = AGENTS) {
  const plan = basePlan();
  mutate(plan);
  return checkPlanText(
    stringify(plan, { aliasDuplicateObjects: false }),
    'plan.yaml',
    knownAgents ? { knownAgents } : {},
  );
}

const codes = (problems: PlanProblem[]) => problems.map((p) => p.code);
const task = (p: Base, id: string) => p.tasks.find((t) => t.id === id) as Base['tasks'][number];

describe('validatePlan', () => {
  it('accepts the base plan without any problem', () => {
    const r = check();
    expect(r.problems).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('reports a duplicate task id at the second task', () => {
    const r = check((p) => p.tasks.push({ ...task(p, 'client'), dependsOn: ['types'] }));
    expect(codes(r.problems)).toContain('duplicate-task-id');
    const dup = r.problems.find((x) => x.code === 'duplicate-task-id');
    expect(dup).toMatchObject({ severity: 'error', path: 'tasks[4].id' });
    expect(dup?.message).toContain('"client" is already used by tasks[2]');
  });

  it('reports an unknown dependency with the likely intended id', () => {
    const r = check((p) => {
      task(p, 'tests').dependsOn = ['server', 'client', 'sever'];
    });
    expect(r.problems).toEqual([
      expect.objectContaining({
        code: 'unknown-dependency',
        path: 'tasks[3].dependsOn[2]',
        severity: 'error',
      }),
    ]);
    expect(r.problems[0]?.message).toMatch(/"sever", which is no task; did you mean "server"\?/);
  });

  it('reports a task depending on itself', () => {
    const r = check((p) => {
      task(p, 'server').dependsOn = ['types', 'server'];
    });
    expect(codes(r.problems)).toEqual(['self-dependency']);
  });

  it('reports a repeated dependency as a warning', () => {
    const r = check((p) => {
      task(p, 'server').dependsOn = ['types', 'types'];
    });
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'duplicate-dependency', severity: 'warning' }),
    ]);
    expect(r.valid).toBe(true);
  });

  it('names the path of a dependency cycle', () => {
    const r = check((p) => {
      task(p, 'types').dependsOn = ['tests'];
    });
    const cycles = r.problems.filter((x) => x.code === 'dependency-cycle');
    expect(cycles).toHaveLength(1);
    expect(cycles[0]?.message).toMatch(/types → tests → (server|client) → types/);
    expect(cycles[0]?.path).toBe('tasks[0].dependsOn[0]');
  });

  it('reports each separate cycle once', () => {
    const r = check((p) => {
      task(p, 'server').dependsOn = ['types', 'client'];
      task(p, 'client').dependsOn = ['types', 'server'];
      p.tasks.push(
        { id: 'x', title: 'X', agent: 'test-specialist', dependsOn: ['y'], successCriteria: ok },
        { id: 'y', title: 'Y', agent: 'test-specialist', dependsOn: ['x'], successCriteria: ok },
      );
    });
    const messages = r.problems.filter((x) => x.code === 'dependency-cycle').map((x) => x.message);
    expect(messages).toHaveLength(2);
    expect(messages.join('\n')).toMatch(/server → client → server/);
    expect(messages.join('\n')).toMatch(/x → y → x/);
  });

  it('reports an unknown agent, and skips the check when no agent list is given', () => {
    const mutate = (p: Base) => {
      task(p, 'client').agent = 'frontend-specialst';
    };
    const r = check(mutate);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'unknown-agent', path: 'tasks[2].agent' })]);
    expect(r.problems[0]?.message).toContain('did you mean "frontend-specialist"?');
    expect(check(mutate, null).problems).toEqual([]);
  });

  it('reports a contract consumed but provided by no task', () => {
    const r = check((p) => {
      task(p, 'types').provides = [];
    });
    expect(codes(r.problems)).toEqual(
      expect.arrayContaining(['contract-not-provided', 'contract-not-provided', 'contract-owner-mismatch']),
    );
    const missing = r.problems.find((x) => x.code === 'contract-not-provided');
    expect(missing?.message).toContain('add "operation" to the provides of its owner "types"');
  });

  it('reports a contract provided by two tasks', () => {
    const r = check((p) => {
      task(p, 'server').provides = ['operation'];
      task(p, 'server').consumes = [];
    });
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'contract-multiple-providers', path: 'tasks[1].provides[0]' }),
    ]);
    expect(r.problems[0]?.message).toContain('provided by both "types" and "server"');
  });

  it('reports a contract whose owner does not list it in provides', () => {
    const r = check((p) => {
      (p.contracts ?? [])[0]!.owner = 'server';
    });
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'contract-owner-mismatch', path: 'contracts[0].owner' }),
    ]);
  });

  it('reports a contract owner that is no task', () => {
    const r = check((p) => {
      (p.contracts ?? [])[0]!.owner = 'typez';
    });
    expect(codes(r.problems)).toEqual(['unknown-contract-owner']);
    expect(r.problems[0]?.message).toContain('did you mean "types"?');
  });

  it('reports provides and consumes of undeclared contracts, and duplicate contract ids', () => {
    const r = check((p) => {
      task(p, 'server').provides = ['http-api'];
      task(p, 'tests').consumes = ['http-api'];
      p.contracts?.push({ ...(p.contracts[0] as NonNullable<Base['contracts']>[number]) });
    });
    expect(codes(r.problems).sort()).toEqual([
      'duplicate-contract-id',
      'undeclared-contract',
      'undeclared-contract',
    ]);
  });

  it('reports overlapping owns of tasks that may run concurrently, naming a path both match', () => {
    const r = check((p) => {
      task(p, 'client').owns = ['src/client/**', 'src/server/styles/*.css'];
    });
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'ownership-overlap', severity: 'error', path: 'tasks[2].owns[1]' }),
    ]);
    const m = r.problems[0]?.message ?? '';
    expect(m).toContain('"server" and "client" may run at the same time');
    const witness = /both match "([^"]+)"/.exec(m)?.[1] ?? '';
    expect(witness).toMatch(/^src\/server\/styles\/[^/]*\.css$/);
  });

  it.each([
    ['!src/server/**', 'negation'],
    ['src/@(server|client)/**', 'extglobs'],
    ['src/+(client)/**', 'extglobs'],
    ['src/!(server)/**', 'extglobs'],
    ['src/(client|x)/**', 'groups'],
    ['src/[[:alpha:]]*/**', 'POSIX'],
    ['src/client{1..3}/**', 'brace ranges'],
    ['src/client**', 'whole path segment'],
    ['src/[!s]*/**', '[^...]'],
    ['src/client/[ab', 'unclosed'],
    ['/abs/src/**', 'relative'],
    ['src/../x/**', '".."'],
  ])('refuses the glob %s with a plan error naming it (%s)', (glob, why) => {
    const r = check((p) => {
      task(p, 'client').owns = [glob];
    });
    expect(r.valid).toBe(false);
    const problem = r.problems.find((x) => x.code === 'glob-syntax');
    expect(problem).toMatchObject({ severity: 'error', path: 'tasks[2].owns[0]' });
    expect(problem?.message).toContain(`"${glob}"`);
    expect(problem?.message).toContain(why);
  });

  it('reports owns that differ only by letter case as overlapping', () => {
    const r = check((p) => {
      task(p, 'client').owns = ['src/client/**', 'src/SERVER/**'];
    });
    expect(codes(r.problems)).toEqual(['ownership-overlap']);
  });

  it('accepts overlapping owns when one task depends on the other, even transitively', () => {
    const r = check((p) => {
      task(p, 'tests').owns = ['test/**', 'src/types/index.ts'];
    });
    expect(r.problems).toEqual([]);
  });

  it('warns when a task reads what a concurrent task writes', () => {
    const r = check((p) => {
      task(p, 'client').reads = ['src/types/**', 'src/server/api.ts'];
    });
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'read-write-race', severity: 'warning', path: 'tasks[2].reads[1]' }),
    ]);
    expect(r.valid).toBe(true);
  });

  it('warns about a task without success criteria', () => {
    const r = check((p) => {
      task(p, 'tests').successCriteria = [];
    });
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'no-success-criteria', severity: 'warning', path: 'tasks[3]' }),
    ]);
  });

  it('reports every defect of a plan with many at once', () => {
    const r = check((p) => {
      task(p, 'types').dependsOn = ['tests'];
      task(p, 'server').dependsOn = ['types', 'nope', 'server'];
      task(p, 'server').agent = 'ghost';
      p.tasks.push({
        id: 'docs',
        title: 'Docs',
        agent: 'test-specialist',
        owns: ['src/**/*.md'],
        successCriteria: ok,
      });
      task(p, 'client').provides = ['operation'];
      task(p, 'client').consumes = ['events'];
      task(p, 'tests').successCriteria = [];
      (p.contracts ?? [])[0]!.owner = 'server';
      p.tasks.push({ id: 'types', title: 'again', agent: 'types-specialist', successCriteria: ok });
    });
    expect(new Set(codes(r.problems))).toEqual(
      new Set([
        'dependency-cycle',
        'unknown-dependency',
        'self-dependency',
        'unknown-agent',
        'ownership-overlap',
        'read-write-race',
        'contract-multiple-providers',
        'undeclared-contract',
        'contract-not-provided',
        'contract-owner-mismatch',
        'duplicate-task-id',
        'no-success-criteria',
      ]),
    );
    expect(r.valid).toBe(false);
    expect(r.problems.every((x) => x.line !== undefined)).toBe(true);
  });

  it('loads and validates 5,000 tasks quickly', () => {
    const tasks = Array.from({ length: 5000 }, (_, i) => ({
      id: `t${i}`,
      title: `task ${i}`,
      agent: 'backend-specialist',
      owns: [`src/mod${i}/**`, `docs/mod${i}.md`],
      reads: ['src/shared/**', `src/mod${Math.floor(i / 2)}/index.ts`],
      dependsOn: i === 0 ? [] : [`t${Math.floor(i / 2)}`],
      successCriteria: ok,
    }));
    const text = JSON.stringify({ version: 1, goal: 'big', tasks });
    const started = performance.now();
    const r = checkPlanText(text, 'plan.json');
    const elapsed = performance.now() - started;
    expect(r.problems).toEqual([]);
    expect(elapsed).toBeLessThan(3000);
    const plan = r.plan as NonNullable<typeof r.plan>;
    const t0 = performance.now();
    validatePlan(plan);
    expect(performance.now() - t0).toBeLessThan(1500);
  });
});

describe('concurrency relation', () => {
  const graphArb = fc
    .record({
      n: fc.integer({ min: 1, max: 25 }),
      edges: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 50 }),
    })
    .map(({ n, edges }) => {
      const deps: string[][] = Array.from({ length: n }, () => []);
      for (const [a, b] of edges) (deps[a % n] as string[]).push(`t${b % n}`);
      return deps.map((d, i) => ({ id: `t${i}`, dependsOn: d }));
    });

  it('says two tasks may run concurrently exactly when neither reaches the other (cycles included)', () => {
    fc.assert(
      fc.property(graphArb, (tasks) => {
        const graph = buildTaskGraph(tasks);
        const concurrent = concurrencyOf(graph, stronglyConnected(graph));
        const n = graph.ids.length;
        const reach = (from: number) => {
          const seen = new Set<number>();
          const stack = [...(graph.deps[from] as number[])];
          while (stack.length > 0) {
            const v = stack.pop() as number;
            if (seen.has(v)) continue;
            seen.add(v);
            stack.push(...(graph.deps[v] as number[]));
          }
          return seen;
        };
        const reaches = Array.from({ length: n }, (_, i) => reach(i));
        for (let a = 0; a < n; a++)
          for (let b = 0; b < n; b++) {
            if (a === b) continue;
            const expected = !reaches[a]?.has(b) && !reaches[b]?.has(a);
            expect(concurrent(a, b)).toBe(expected);
          }
      }),
      { numRuns: 200 },
    );
  });

  it('names a real cycle for every cyclic graph', () => {
    fc.assert(
      fc.property(graphArb, (tasks) => {
        const plan = {
          version: 1 as const,
          goal: 'g',
          architecture: { decisions: [], constraints: [], excludedDependencies: [] },
          contracts: [],
          tasks: tasks.map((t) => ({
            ...t,
            title: t.id,
            agent: 'a',
            instructions: '',
            owns: [],
            reads: [],
            provides: [],
            consumes: [],
            successCriteria: ok,
            estimatedContextTokens: 1,
          })),
        };
        const depsOf = new Map(tasks.map((t) => [t.id, new Set(t.dependsOn)]));
        for (const p of validatePlan(plan).filter((x) => x.code === 'dependency-cycle')) {
          const path = /cycle: ([^;(]+)/.exec(p.message)?.[1]?.trim().split(' → ') ?? [];
          expect(path.length).toBeGreaterThanOrEqual(3);
          expect(path[0]).toBe(path.at(-1));
          for (let k = 0; k + 1 < path.length; k++)
            expect(depsOf.get(path[k] as string)?.has(path[k + 1] as string)).toBe(true);
        }
        const graph = buildTaskGraph(tasks);
        const cyclic = stronglyConnected(graph).members.filter((m) => m.length > 1).length;
        expect(validatePlan(plan).filter((x) => x.code === 'dependency-cycle')).toHaveLength(cyclic);
      }),
      { numRuns: 200 },
    );
  });
});

describe('degenerate plans', () => {
  it('lists at most 200 overlaps of each kind and says more were left out', () => {
    const tasks = Array.from({ length: 300 }, (_, i) => ({
      id: `t${i}`,
      title: 't',
      agent: 'a',
      owns: ['src/**'],
      reads: ['src/**'],
      successCriteria: ok,
    }));
    const r = checkPlanText(JSON.stringify({ version: 1, goal: 'g', tasks }), 'p.json');
    for (const code of ['ownership-overlap', 'read-write-race']) {
      const found = r.problems.filter((p) => p.code === code);
      expect(found).toHaveLength(201);
      expect(found.filter((p) => /than the 200 listed/.test(p.message))).toHaveLength(1);
    }
  });
});

describe('agents that conduct the run', () => {
  it('refuses a task assigned to the orchestrator or the integration validator', () => {
    const plan = planSchema.parse({
      version: 1,
      goal: 'g',
      tasks: [
        {
          id: 'a',
          title: 'A',
          agent: 'orchestrator',
          owns: ['a/**'],
          successCriteria: [{ description: 'x' }],
        },
        {
          id: 'b',
          title: 'B',
          agent: 'integration-validator',
          owns: ['b/**'],
          successCriteria: [{ description: 'x' }],
        },
      ],
    });
    const codes = validatePlan(plan, { knownAgents: ['orchestrator', 'integration-validator'] })
      .filter((p) => p.code === 'agent-not-assignable')
      .map((p) => p.path);
    expect(codes).toEqual(['tasks[0].agent', 'tasks[1].agent']);
  });
});
