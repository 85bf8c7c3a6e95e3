import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_AGENT_NAMES } from '../agents/templates.js';
import { findMatchingGlob } from '../domain/globs.js';
import { planSchema } from '../domain/plan.js';
import { validatePlan } from '../orchestrator/plan-validate.js';
import { DEFAULT_TURN_USAGE } from '../testing/index.js';
import { SAMPLE_DIR, SCENARIO_DIR } from './paths.js';
import { changedRun, demoScenario, MISMATCH } from './scenario.js';

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();

describe('the demo scenario', () => {
  const demo = demoScenario();
  const plan = planSchema.parse(demo.plan);

  it('is a valid plan of six built-in specialists, each owning files of the finished tree', () => {
    const specialists = BUILTIN_AGENT_NAMES.filter((n) => n !== 'orchestrator');
    expect(
      validatePlan(plan, { knownAgents: [...specialists] }).filter((p) => p.severity === 'error'),
    ).toEqual([]);
    expect(new Set(plan.tasks.map((t) => t.agent)).size).toBe(6);
    const final = files(join(SCENARIO_DIR, 'final'));
    for (const f of final) {
      const owners = plan.tasks.filter((t) => findMatchingGlob(f, t.owns));
      expect(
        owners.map((t) => t.id),
        f,
      ).toHaveLength(1);
    }
    for (const t of plan.tasks)
      expect(
        final.some((f) => findMatchingGlob(f, t.owns)),
        t.id,
      ).toBe(true);
    // The specialists add files; they never overwrite the sample's own.
    const sample = new Set(files(SAMPLE_DIR));
    expect(final.filter((f) => sample.has(f))).toEqual([]);
  });

  it('plants the mismatch in the server, and its fix edit turns it into the finished file', () => {
    const planted = readFileSync(join(SCENARIO_DIR, 'planted', MISMATCH.file), 'utf8');
    const final = readFileSync(join(SCENARIO_DIR, 'final', MISMATCH.file), 'utf8');
    expect(planted).toMatch(/user_id: number;\s+operation: Delta;/);
    expect(final).not.toContain('user_id');
    expect(planted.split(demo.fix.old)).toHaveLength(2); // Edit needs a unique old_string
    expect(planted.replace(demo.fix.old, demo.fix.new)).toBe(final);
    expect(files(join(SCENARIO_DIR, 'planted'))).toEqual([MISMATCH.file]);
  });

  it('scripts usage on every turn, and its totals are the sum of its turns', () => {
    let input = 0;
    let output = 0;
    for (const b of demo.scenario.blocks)
      for (const t of b.turns) {
        if (t.kind !== 'text' && t.kind !== 'tools') throw new Error('only answers are scripted');
        expect(t.usage, 'every turn has its own figures').toBeDefined();
        input += t.usage?.input ?? DEFAULT_TURN_USAGE.input;
        output += t.usage?.output ?? DEFAULT_TURN_USAGE.output;
      }
    expect(demo.usage.total).toMatchObject({ inputTokens: input, outputTokens: output });
    const tasks = Object.values(demo.usage.tasks).reduce((s, u) => s + u.inputTokens, 0);
    expect(tasks + demo.usage.orchestrator.inputTokens).toBe(input);
  });

  it('binds the fix attempt only to a request carrying the validator fixes', () => {
    const matchers = demo.scenario.blocks.map((b) => b.matcher);
    const fix = matchers.at(-1);
    expect(fix).toEqual({ taskId: MISMATCH.taskId, text: '## Fix first' });
    // The server's first attempt comes earlier, so it binds first.
    expect(matchers.findIndex((m) => typeof m !== 'function' && m.taskId === MISMATCH.taskId)).toBeLessThan(
      matchers.length - 1,
    );
  });
});

describe('changedRun', () => {
  it('replacing the old run by the new one rebuilds the second list, and the shared ends are kept', () => {
    const line = fc.stringMatching(/^[a-c]{0,2}$/);
    fc.assert(
      fc.property(fc.array(line), fc.array(line), (x, y) => {
        const r = changedRun(x, y);
        expect([...x.slice(0, r.start), ...y.slice(r.start, r.newEnd), ...x.slice(r.oldEnd)]).toEqual(y);
        expect(x.slice(0, r.start)).toEqual(y.slice(0, r.start));
        expect(x.slice(r.oldEnd)).toEqual(y.slice(r.newEnd));
        expect(r.start).toBeLessThanOrEqual(Math.min(r.oldEnd, r.newEnd));
      }),
    );
  });

  it('is empty for equal lists', () => {
    expect(changedRun(['a', 'b'], ['a', 'b'])).toEqual({ start: 2, oldEnd: 2, newEnd: 2 });
  });
});
