import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { fillFixtureRun, manualClock } from '../../test/run/hub-fixture.js';
import { planSchema } from '../domain/plan.js';
import { type Hub, openHub, USAGE_LAYERS } from '../hub/index.js';
import { buildReport, sumUsage } from './report.js';
import { renderReportHtml } from './report-html.js';
import { renderReportMd } from './report-md.js';
import { renderReport } from './report-render.js';

let hubs: Hub[] = [];
afterEach(() => {
  for (const h of hubs) h.close();
  hubs = [];
});

function fixture(options: { baseline?: boolean } = {}) {
  const clock = manualClock();
  const hub = openHub({ path: ':memory:', now: clock.now });
  hubs.push(hub);
  const runId = fillFixtureRun(hub, clock, options);
  return { hub, runId, report: buildReport(hub, runId) };
}

describe('buildReport', () => {
  it('carries every layer and task figure exactly as the usage rows sum', () => {
    const { hub, runId, report } = fixture();
    const rows = hub.usage.list(runId);
    for (const layer of report.layers) {
      const own = rows.filter((r) => r.layer === layer.layer);
      expect(layer.inputTokens).toBe(own.reduce((s, r) => s + r.inputTokens, 0));
      expect(layer.outputTokens).toBe(own.reduce((s, r) => s + r.outputTokens, 0));
      expect(layer.cacheCreationInputTokens).toBe(own.reduce((s, r) => s + r.cacheCreationInputTokens, 0));
      expect(layer.cacheReadInputTokens).toBe(own.reduce((s, r) => s + r.cacheReadInputTokens, 0));
      expect(layer.costUsd).toBe(own.reduce((s, r) => s + r.costUsd, 0));
    }
    expect(report.layers.map((l) => [l.layer, l.totalTokens])).toEqual([
      ['orchestrator', 5500],
      ['specialist', 7460],
      ['validation', 0],
    ]);
    const api = report.tasks.find((t) => t.id === 'api');
    expect(api?.usage).toMatchObject({
      calls: 2,
      inputTokens: 2500,
      outputTokens: 50,
      cacheReadInputTokens: 1300,
    });
    expect(report.total.totalTokens).toBe(12_960);
    // The hub's own SQL summary agrees.
    const summary = hub.usage.summary(runId);
    expect(report.total.inputTokens).toBe(summary.total.inputTokens);
    expect(report.total.costUsd).toBeCloseTo(summary.total.costUsd, 12);
  });

  it('times attempts from their events and keeps termination and failure reasons', () => {
    const { report } = fixture();
    const api = report.tasks.find((t) => t.id === 'api');
    expect(api?.attempts).toBe(2);
    expect(api?.attemptLog).toEqual([
      { attempt: 1, outcome: 'terminated', reason: 'context', detail: 'context at 87%', timeMs: 6000 },
      { attempt: 2, outcome: 'finished', reason: null, detail: null, timeMs: 4000 },
    ]);
    expect(api?.timeMs).toBe(10_000);
    const db = report.tasks.find((t) => t.id === 'db');
    expect(db).toMatchObject({
      status: 'failed',
      reason: 'the agent process crashed',
      timeMs: 9000,
      packet: null,
    });
    expect(report.layers.find((l) => l.layer === 'specialist')?.timeMs).toBe(10_000 + 9000 + 66_000);
    expect(report.layers.find((l) => l.layer === 'orchestrator')?.timeMs).toBeNull();
  });

  it('shows the latest packet against the full context, merged tasks, waves, conflicts and fixes', () => {
    const { report } = fixture();
    expect(report.tasks.find((t) => t.id === 'api')?.packet).toEqual({
      attempt: 2,
      tokens: 900,
      budget: 8000,
      fullContextTokens: 15_400,
      omitted: ['decisions'],
    });
    expect(report.context).toEqual({ tasks: 2, packetTokens: 1600, fullContextTokens: 27_400 });
    expect(report.merged).toEqual(['api', 'web']);
    expect(report.tokensPerMergedTask).toBe(12_960 / 2);
    expect(report.waves.map((w) => [w.wave, w.tasks, w.merged, w.failed])).toEqual([
      [1, ['api', 'db'], ['api'], ['db']],
      [2, ['web'], ['web'], []],
    ]);
    expect(report.tasks.map((t) => [t.id, t.conflicts, t.fixes])).toEqual([
      ['api', 1, 1],
      ['db', 0, 0],
      ['web', 1, 0],
    ]);
    expect(report.fixes[0]).toMatchObject({ ownerTask: 'api', status: 'resolved' });
    expect(report.findings).toHaveLength(1);
    expect(report.run).toMatchObject({ status: 'failed', reason: '1 task failed: db', timeMs: 94_000 });
  });

  it('reports a baseline side by side, keeping its task out of the orchestration', () => {
    const without = fixture().report;
    expect(without.baseline).toBeNull();
    const { report } = fixture({ baseline: true });
    expect(report.baseline).toEqual({
      usage: {
        calls: 1,
        inputTokens: 50_000,
        cacheCreationInputTokens: 0,
        cacheReadInputTokens: 180_000,
        outputTokens: 9000,
        totalTokens: 239_000,
        costUsd: 1.25,
      },
      timeMs: 121_000,
      result: 'failed',
      taskIds: ['baseline'],
    });
    expect(report.tasks.map((t) => t.id)).toEqual(['api', 'db', 'web']);
    expect(report.total.totalTokens).toBe(without.total.totalTokens);
    expect(renderReportMd(report)).toMatch(/\| tokens \| +12,960 \| +239,000 \|/);
  });

  it('lists a base failure that was sent with its fix, each finding once with its count, a fix sent in two rounds once', () => {
    const { hub, runId } = fixture();
    const desc =
      'Success criterion failed: suite passes.\n- `npx vitest run --typecheck` exited with 1\nFix: make it pass.';
    hub.events.append({
      runId,
      type: 'validation.base',
      base: 'b'.repeat(40),
      typescript: '5.9.3',
      typeErrors: 0,
      criteria: 2,
      failing: [
        '`npx vitest run --typecheck` exited with 1 on the base (suite passes)',
        '`npm run lint` exited with 1 on the base (lint is clean)',
      ],
    });
    const fixIds = [1, 2].map((round) => {
      const fix = hub.fixes.add({ runId, ownerTask: 'api', description: desc, source: 'criterion' });
      hub.events.append({
        runId,
        taskId: 'api',
        type: 'fix.created',
        fixId: fix.id,
        owner: 'api',
        round,
        description: desc,
      });
      return fix.id;
    });
    hub.fixes.setStatus(fixIds[0] as number, 'resolved');
    hub.fixes.setStatus(fixIds[1] as number, 'escalated');
    for (let pass = 0; pass < 3; pass++)
      hub.events.append({
        runId,
        taskId: 'api',
        type: 'validation.finding',
        kind: 'criterion',
        severity: 'error',
        message: 'Success criterion failed: suite passes',
      });
    const report = buildReport(hub, runId);
    expect(report.base?.failing).toEqual(['`npm run lint` exited with 1 on the base (lint is clean)']);
    expect(report.base?.sent).toEqual([
      { failing: '`npx vitest run --typecheck` exited with 1 on the base (suite passes)', fixIds },
    ]);
    expect(report.findings.filter((f) => f.message === 'Success criterion failed: suite passes')).toEqual([
      {
        taskId: 'api',
        kind: 'criterion',
        severity: 'error',
        message: 'Success criterion failed: suite passes',
        count: 3,
      },
    ]);
    const md = renderReportMd(report);
    const never = md.slice(
      md.indexOf('## Already failing on the base'),
      md.indexOf('## Failing on the base, and differently'),
    );
    expect(never).toContain('npm run lint');
    expect(never).not.toContain('vitest');
    expect(md).toContain(
      `- #${fixIds[0]}, #${fixIds[1]} for api (resolved, round 1; escalated, round 2, from criterion): Success criterion failed`,
    );
    expect(md).toContain('Success criterion failed: suite passes (in 3 validations)');
  });

  it('lists planned tasks the run has not reached as pending', () => {
    const clock = manualClock();
    const hub = openHub({ path: ':memory:', now: clock.now });
    hubs.push(hub);
    const plan = planSchema.parse({ version: 1, goal: 'g', tasks: [{ id: 'a', title: 'A', agent: 'x' }] });
    hub.runs.create({ id: 'r', goal: 'g', repo: '/r', plan });
    const r = buildReport(hub, 'r');
    expect(r.tasks).toMatchObject([{ id: 'a', status: 'pending', attempts: 0, timeMs: null }]);
    expect(r.tokensPerMergedTask).toBeNull();
    expect(renderReportMd(r)).toContain('Tokens per merged task: — (no task merged)');
  });

  it('refuses an unknown run as a user error', () => {
    const { hub } = fixture();
    expect(() => buildReport(hub, 'nope')).toThrow(/no run "nope"/);
  });

  it('property: layer sums add up to the total and task sums to the rows of their tasks', () => {
    const row = fc.record({
      task: fc.constantFrom('a', 'b', null),
      layer: fc.constantFrom(...USAGE_LAYERS),
      input: fc.nat(100_000),
      output: fc.nat(10_000),
      cacheRead: fc.nat(100_000),
      cost: fc.integer({ min: 0, max: 10_000 }).map((c) => c / 1000),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), (rows) => {
        const hub = openHub({ path: ':memory:' });
        try {
          const plan = planSchema.parse({
            version: 1,
            goal: 'g',
            tasks: [
              { id: 'a', title: 'A', agent: 'x' },
              { id: 'b', title: 'B', agent: 'x' },
            ],
          });
          hub.runs.create({ id: 'r', goal: 'g', repo: '/r', plan });
          for (const x of rows)
            hub.usage.add({
              runId: 'r',
              taskId: x.task,
              layer: x.layer,
              inputTokens: x.input,
              outputTokens: x.output,
              cacheReadInputTokens: x.cacheRead,
              costUsd: x.cost,
            });
          const r = buildReport(hub, 'r');
          const layered = r.layers.reduce((s, l) => s + l.totalTokens, 0);
          expect(layered).toBe(r.total.totalTokens);
          const all = sumUsage(hub.usage.list('r'));
          expect(r.total.totalTokens + (r.baseline?.usage.totalTokens ?? 0)).toBe(all.totalTokens);
          for (const t of r.tasks) {
            const own = rows.filter((x) => x.task === t.id && x.layer !== 'baseline');
            expect(t.usage.inputTokens).toBe(own.reduce((s, x) => s + x.input, 0));
          }
        } finally {
          hub.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('report renderers', () => {
  it('markdown matches the golden file', async () => {
    await expect(renderReportMd(fixture({ baseline: true }).report)).toMatchFileSnapshot(
      './fixtures/golden/report.md',
    );
  });

  it('json parses back to the same figures', () => {
    const { report } = fixture({ baseline: true });
    expect(JSON.parse(renderReport(report, 'json'))).toEqual(report);
  });

  it('html is one self-contained page with every value escaped', async () => {
    const clock = manualClock();
    const hub = openHub({ path: ':memory:', now: clock.now });
    hubs.push(hub);
    const goal = 'Add <script>alert("x")</script> & more';
    const plan = planSchema.parse({ version: 1, goal, tasks: [{ id: 'a', title: 'A', agent: '<b>x</b>' }] });
    hub.runs.create({ id: 'r', goal, repo: '/r', plan });
    const html = renderReportHtml(buildReport(hub, 'r'));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('Add &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(html).not.toMatch(/<link|src=|href=/);
    await expect(renderReportHtml(fixture({ baseline: true }).report)).toMatchFileSnapshot(
      './fixtures/golden/report.html',
    );
  });
});
