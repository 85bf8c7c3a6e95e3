import { realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { PlanInput } from '../../src/domain/plan.js';
import { estimateCostUsd, openHub } from '../../src/hub/index.js';
import { runOrchestra } from '../../src/run/engine.js';
import { buildReport } from '../../src/run/report.js';
import { scenario, startModelServer } from '../../src/testing/index.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';
import { gitRepo } from '../support/scenario-fixtures.js';

// --budget-usd is one budget for the run: three agents at once never overshoot it by more than the
// turn each is in when its share runs out.

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const TASKS = ['alpha', 'beta', 'gamma'] as const;
const TURN = { input: 100_000, output: 1_000 };
const MODEL = 'claude-sonnet-4-5';
const TURN_USD = estimateCostUsd(MODEL, { inputTokens: TURN.input, outputTokens: TURN.output });

const plan: PlanInput = {
  version: 1,
  goal: 'Three independent modules',
  tasks: TASKS.map((id) => ({
    id,
    title: `Module ${id}`,
    agent: 'backend-specialist',
    owns: [`src/${id}/**`],
    successCriteria: [{ description: 'exists', command: `test -f src/${id}/index.ts` }],
  })),
};

describe('--budget-usd (real binary, scripted model)', () => {
  it('three parallel tasks share one budget and overshoot it by at most one turn each; the spend is in the report', async () => {
    const s = scenario();
    for (const id of TASKS) {
      s.on({ taskId: id }).read('README.md').usage(TURN);
      for (let i = 0; i < 6; i++) s.read('README.md').usage(TURN);
      s.write(`src/${id}/index.ts`, 'export const x = 1;\n').usage(TURN);
      s.structured({ summary: id, contracts: [], testRequirements: [], dependenciesNeeded: [], notes: [] });
    }
    const server = await startModelServer(s);
    cleanup.push(() => server.close({ verify: false }));
    const dir = tempDir('orchestra-budget-');
    cleanup.push(dir.remove);
    const root = realpathSync(dir.path);
    const repo = gitRepo(path.join(root, 'repo'), { 'README.md': '# budget\n' });
    const planFile = path.join(root, 'plan.yaml');
    writeFileSync(planFile, stringify(plan));
    const env = { ...claudeTestEnv(server.url, root), GIT_CONFIG_GLOBAL: '/dev/null' };
    const budgetUsd = 4 * TURN_USD; // far less than the 3 × 8 scripted turns
    const out = await runOrchestra({
      cwd: repo,
      planFile,
      yes: true,
      env,
      homeDir: root,
      model: MODEL,
      maxParallel: 3,
      budgetUsd,
    });
    expect(out.status).not.toBe('succeeded');

    const hub = openHub({ path: path.join(repo, '.orchestra', 'hub.db') });
    cleanup.push(() => hub.close());
    const spent = hub.usage.summary(out.runId, 'layer').total.costUsd;
    const turns = server.requests.filter((r) => r.served?.kind === 'turn').length;
    // Every turn served was paid for, and no agent went more than one turn past its share.
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(budgetUsd + TASKS.length * TURN_USD * 1.01);
    expect(turns).toBeLessThan(TASKS.length * 8);
    const report = buildReport(hub, out.runId);
    expect(report.total.costUsd).toBeCloseTo(spent, 6);
    console.log(
      `budget $${budgetUsd.toFixed(3)}, one turn $${TURN_USD.toFixed(3)}: spent $${spent.toFixed(3)} in ${turns} turns`,
    );
  }, 240_000);
});
