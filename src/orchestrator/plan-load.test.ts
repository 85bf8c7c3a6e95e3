import { describe, expect, it } from 'vitest';
import { checkPlanText } from './plan-check.js';
import { loadPlanText, planFormatOf } from './plan-load.js';

const YAML_PLAN = `version: 1
goal: Demo
tasks:
  - id: a
    title: A
    agent: backend-specialist
    owns: ["src/a/**"]
    successCriteria: [{ description: ok }]
  - id: b
    title: B
    agent: backend-specialist
    dependsOn: [a, nope]
    successCriteria: [{ description: ok }]
`;

describe('loadPlanText', () => {
  it('loads a valid YAML plan with defaults applied', () => {
    const r = loadPlanText(YAML_PLAN, 'yaml');
    expect(r.success).toBe(true);
    if (!r.success) return;
    expect(r.value.plan.tasks[1]?.dependsOn).toEqual(['a', 'nope']);
    expect(r.value.plan.tasks[0]?.estimatedContextTokens).toBe(4000);
    expect(r.value.lineOf(['tasks', 1, 'dependsOn', 1])).toBe(12);
    expect(r.value.lineOf(['tasks', 1])).toBe(9);
    expect(r.value.lineOf(['tasks', 1, 'nothing', 3])).toBe(9);
  });

  it('reports malformed YAML with the parser line', () => {
    const r = loadPlanText(
      'version: 1\ngoal: x\ntasks:\n  - id: a\n    title: [unclosed\n    agent: b\n',
      'yaml',
    );
    expect(r.success).toBe(false);
    expect(r.problems[0]).toMatchObject({ code: 'syntax', severity: 'error' });
    expect(r.problems[0]?.message).toMatch(/^invalid YAML: /);
    expect(r.problems[0]?.line).toBeGreaterThanOrEqual(5);
  });

  it('reports a duplicate YAML key as a syntax error at its line', () => {
    const r = loadPlanText('version: 1\ngoal: x\ngoal: y\ntasks: []\n', 'yaml');
    expect(r.problems).toEqual([expect.objectContaining({ code: 'syntax', line: 3 })]);
    expect(r.problems[0]?.message).toMatch(/unique/);
  });

  it('reports malformed JSON with its line', () => {
    const r = loadPlanText(
      '{\n  "version": 1,\n  "goal": "x",\n  "tasks": [\n    {"id": "a",}\n  ]\n}\n',
      'json',
    );
    expect(r.problems).toEqual([expect.objectContaining({ code: 'syntax', line: 5 })]);
    expect(r.problems[0]?.message).toMatch(/^invalid JSON: /);
  });

  it('maps each schema problem to the line of the offending node', () => {
    const text = 'version: 2\ngoal: ok\ntasks:\n  - id: a\n    agent: 3\n    owns: src\n';
    const r = loadPlanText(text, 'yaml');
    expect(r.success).toBe(false);
    const byPath = Object.fromEntries(r.problems.map((p) => [p.path, p]));
    expect(byPath.version).toMatchObject({ code: 'schema', line: 1 });
    expect(byPath['tasks[0].title']).toMatchObject({ line: 4 });
    expect(byPath['tasks[0].title']?.message).toBe('tasks[0].title: required string is missing');
    expect(byPath['tasks[0].agent']).toMatchObject({ line: 5 });
    expect(byPath['tasks[0].owns']).toMatchObject({ line: 6 });
  });

  it('reports unknown keys with the likely intended key, even in an otherwise valid plan', () => {
    const r = loadPlanText(YAML_PLAN.replace('    dependsOn: [a, nope]', '    dependOn: [a]'), 'yaml');
    expect(r.success).toBe(true);
    expect(r.problems).toEqual([
      expect.objectContaining({
        code: 'unknown-key',
        line: 12,
        path: 'tasks[1].dependOn',
        severity: 'error',
      }),
    ]);
    expect(r.problems[0]?.message).toContain('did you mean "dependsOn"?');
  });

  it('refuses a document that is not a mapping', () => {
    expect(loadPlanText('- a\n- b\n', 'yaml').problems).toEqual([
      expect.objectContaining({ code: 'schema' }),
    ]);
    expect(loadPlanText('', 'yaml').success).toBe(false);
  });

  it('finds lines in JSON plans too', () => {
    const json = JSON.stringify(
      {
        version: 1,
        goal: 'g',
        tasks: [
          { id: 'a', title: 'A', agent: 'x', successCriteria: [{ description: 'd' }] },
          { id: 'b', title: 'B', agent: 'x', dependsOn: ['zz'], successCriteria: [{ description: 'd' }] },
        ],
      },
      null,
      2,
    );
    const r = checkPlanText(json, 'plan.json');
    const expected = json.split('\n').findIndex((l) => l.includes('"zz"')) + 1;
    expect(r.problems).toEqual([expect.objectContaining({ code: 'unknown-dependency', line: expected })]);
  });

  it('chooses the format by extension, else by content', () => {
    expect(planFormatOf('p.json')).toBe('json');
    expect(planFormatOf('p.YML')).toBe('yaml');
    expect(planFormatOf('plan')).toBe('auto');
    expect(
      loadPlanText('{"version": 1, "goal": "g", "tasks": [{"id": "a", "title": "t", "agent": "x"}]}').success,
    ).toBe(true);
  });
});
