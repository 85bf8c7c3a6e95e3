import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planSchema } from '../../src/domain/plan.js';
import { markRunActive } from '../../src/guard/index.js';
import { hubPath, openHub } from '../../src/hub/index.js';
import { fillFixtureRun, manualClock } from '../run/hub-fixture.js';
import { initRepo } from '../validator/fixture.js';

/** A valid plan file: api provides a contract, web consumes it in the next wave. */
export const GOOD_PLAN = `version: 1
goal: Greetings over an API
contracts:
  - id: greeting
    kind: typescript
    owner: api
    definition: "export interface Greeting { text: string }"
tasks:
  - id: api
    title: Greeting API
    agent: backend-specialist
    owns: ["src/api/**"]
    provides: [greeting]
    successCriteria: [{ description: "the api module exports Greeting" }]
  - id: web
    title: Greeting page
    agent: frontend-specialist
    owns: ["src/web/**"]
    dependsOn: [api]
    consumes: [greeting]
    successCriteria: [{ description: "the page imports Greeting" }]
`;

/** A plan with errors: a cycle and an unknown agent. */
export const BAD_PLAN = `version: 1
goal: Broken
tasks:
  - id: a
    title: A
    agent: backend-specialist
    owns: ["src/a/**"]
    dependsOn: [b]
  - id: b
    title: B
    agent: no-such-agent
    owns: ["src/b/**"]
    dependsOn: [a]
`;

/** The plan of the run in progress: `api` holds `src/api/**` while it runs. */
export const LIVE_PLAN = planSchema.parse({
  version: 1,
  goal: 'Live run',
  tasks: [
    { id: 'api', title: 'WebSocket server', agent: 'backend-specialist', owns: ['src/api/**'] },
    { id: 'web', title: 'Editor UI', agent: 'frontend-specialist', owns: ['src/web/**'], dependsOn: ['api'] },
  ],
});

/** Test repository: where it is, and how to remove it and stop marking its run active. */
export interface FixtureRepo {
  root: string;
  cleanup: () => void;
  /** Stop marking `run-live` active (as the engine does when a run ends). */
  endLiveRun: () => void;
}

/**
 * A git repository with plan files and a hub holding the finished fixture run `run-1` (failed,
 * with contracts, decisions, a handoff, a fix) and, with `live`, `run-live` in progress: task
 * `api` running with a lease on `src/api/**` held by this (live) process, and the run's marker.
 */
export function fixtureRepo(options: { live?: boolean; hub?: boolean } = {}): FixtureRepo {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'orchestra-mcp-')));
  initRepo(root, {
    'plans/good.yaml': GOOD_PLAN,
    'plans/bad.yaml': BAD_PLAN,
    'src/api/index.ts': 'export const api = 1;\n',
    'src/web/index.ts': 'export const web = 1;\n',
    'README.md': '# fixture\n',
  });
  let endLiveRun: () => void = () => undefined;
  if (options.hub !== false) {
    const clock = manualClock();
    const hub = openHub({ path: hubPath(root), now: clock.now });
    try {
      fillFixtureRun(hub, clock);
      hub.handoffs.put('run-1', 'api', {
        from: 'api',
        to: 'web',
        timestamp: '2026-01-02T03:10:00.000Z',
        artifacts: { interfaces: ['Operation'] },
        nextAgentContext: {},
      });
    } finally {
      hub.close();
    }
  }
  if (options.live) {
    // Real time here: leases expire against the clock the guard reads.
    const hub = openHub({ path: hubPath(root) });
    try {
      hub.runs.create({
        id: 'run-live',
        goal: LIVE_PLAN.goal,
        repo: root,
        plan: LIVE_PLAN,
        status: 'running',
      });
      hub.tasks.upsert({
        runId: 'run-live',
        id: 'api',
        agent: 'backend-specialist',
        status: 'queued',
        wave: 1,
      });
      hub.tasks.startAttempt('run-live', 'api');
      hub.tasks.upsert({
        runId: 'run-live',
        id: 'web',
        agent: 'frontend-specialist',
        status: 'queued',
        wave: 2,
      });
      const lease = hub.leases.acquire({ runId: 'run-live', taskId: 'api', patterns: ['src/api/**'] });
      if (!lease.ok) throw new Error(lease.message);
    } finally {
      hub.close();
    }
    endLiveRun = markRunActive(root, 'run-live');
  }
  return {
    root,
    endLiveRun,
    cleanup: () => {
      endLiveRun();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
