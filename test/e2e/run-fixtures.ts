import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { PlanInput } from '../../src/domain/plan.js';
import { type ScenarioBuilder, scenario } from '../../src/testing/index.js';
import { gitRepo } from '../support/scenario-fixtures.js';

/** The contract both sides must agree on. */
export const OPERATION = 'export interface Operation { userId: string; operation: string }';

/** A three-task plan: types first, then a server and a client that consume the contract. */
export const RUN_PLAN: PlanInput = {
  version: 1,
  goal: 'Apply collaborative edits',
  architecture: { excludedDependencies: ['socket.io'] },
  contracts: [{ id: 'operation', kind: 'typescript', owner: 'types', definition: OPERATION }],
  tasks: [
    {
      id: 'types',
      title: 'Operation type',
      agent: 'types-specialist',
      owns: ['src/types/**'],
      provides: ['operation'],
      estimatedContextTokens: 3000,
      successCriteria: [{ description: 'types exist', command: 'test -f src/types/operation.ts' }],
    },
    {
      id: 'server',
      title: 'Apply operations on the server',
      agent: 'backend-specialist',
      owns: ['src/server/**'],
      dependsOn: ['types'],
      consumes: ['operation'],
      estimatedContextTokens: 5000,
      successCriteria: [{ description: 'server exists', command: 'test -f src/server/apply.ts' }],
    },
    {
      id: 'client',
      title: 'Send operations from the client',
      agent: 'frontend-specialist',
      owns: ['src/client/**'],
      dependsOn: ['types'],
      consumes: ['operation'],
      estimatedContextTokens: 5000,
      successCriteria: [{ description: 'client exists', command: 'test -f src/client/send.ts' }],
    },
  ],
};

export const TYPES_FILE = `${OPERATION}\n`;
export const SERVER_GOOD =
  "import type { Operation } from '../types/operation.js';\n\nexport function describe(op: Operation): string {\n  return op.userId + ': ' + op.operation;\n}\n";
/** The article's mismatch: the server reads `user_id`. */
export const SERVER_BAD =
  "import type { Operation } from '../types/operation.js';\n\nexport function describe(op: Operation): string {\n  return op.user_id + ': ' + op.operation;\n}\n";
export const CLIENT_FILE =
  "import type { Operation } from '../types/operation.js';\n\nexport function send(userId: string, operation: string): Operation {\n  return { userId, operation };\n}\n";

const result = (summary: string) => ({
  summary,
  contracts: [],
  testRequirements: [],
  dependenciesNeeded: [],
  notes: [],
});

/**
 * The scripted specialists: types and client write good code; the server first writes the mismatch
 * and, when its packet carries the validator's fix, writes the corrected file. `serverFix: false`
 * makes each fix attempt change the file but repeat the mistake (a fix loop that never converges).
 */
export function runScenario(options: { serverFix?: boolean; repeat?: number } = {}): ScenarioBuilder {
  const s = scenario();
  for (let i = 0; i < (options.repeat ?? 1); i++) {
    s.on({ taskId: 'types', text: '## Instructions' })
      .write('src/types/operation.ts', TYPES_FILE)
      .usage({ input: 1000, output: 50 });
    s.structured(result('Operation type')).usage({ input: 1100, output: 20 });
    s.on({ taskId: 'client', text: '## Instructions' })
      .write('src/client/send.ts', CLIENT_FILE)
      .usage({ input: 1200, output: 60 });
    s.structured(result('client sends operations')).usage({ input: 1300, output: 20 });
  }
  for (let i = 0; i < (options.repeat ?? 1); i++) {
    s.on(
      (b) =>
        JSON.stringify(b).includes('orchestra-task: server') && !JSON.stringify(b).includes('## Fix first'),
    )
      .write('src/server/apply.ts', SERVER_BAD)
      .usage({ input: 1500, output: 80 });
    s.structured(result('server applies operations')).usage({ input: 1600, output: 20 });
  }
  const fixes = options.serverFix === false ? 4 : (options.repeat ?? 1);
  for (let i = 0; i < fixes; i++) {
    s.on({ taskId: 'server', text: '## Fix first' })
      .read('src/server/apply.ts')
      .usage({ input: 1700, output: 10 });
    s.write(
      'src/server/apply.ts',
      // Each non-converging attempt changes the file (a fix that changes nothing is escalated, not
      // repeated), but never the mistake.
      options.serverFix === false
        ? SERVER_BAD.replace('op.operation', `op.operation /* try ${i + 1} */`)
        : SERVER_GOOD,
    );
    s.usage({ input: 1800, output: 70 });
    s.structured(result('server fixed')).usage({ input: 1900, output: 20 });
  }
  return s;
}

/** A small TypeScript repository and the plan file, committed. */
export function runRepo(dir: string): { repo: string; planFile: string } {
  const repo = gitRepo(dir, {
    'package.json': JSON.stringify({ name: 'collab', private: true, type: 'module' }, null, 2),
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
    'src/index.ts': 'export const name = "collab";\n',
  });
  const planFile = path.join(dir, '..', 'plan.yaml');
  writeFileSync(planFile, stringify(RUN_PLAN));
  return { repo, planFile };
}
