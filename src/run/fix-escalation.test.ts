import { describe, expect, it } from 'vitest';
import type { TaskResult } from '../domain/task-result.js';
import { emptyUsage } from '../executor/index.js';
import { couldNotAct } from './fix-escalation.js';
import type { TaskRunOutcome } from './task-runner.js';

const outcome = (over: Partial<TaskRunOutcome> & { result?: TaskResult }): TaskRunOutcome => ({
  runId: 'r',
  taskId: 'match',
  status: 'succeeded',
  branch: 'orchestra/r/match',
  commit: null,
  treeChanged: false,
  filesChanged: [],
  denied: [],
  scopeViolations: [],
  usage: emptyUsage(),
  costUsd: 0,
  attempts: [],
  ...over,
});
const result = (summary: string, notes: string[] = []): TaskResult => ({
  summary,
  contracts: [],
  testRequirements: [],
  dependenciesNeeded: [],
  notes,
});

// The fix the trial on unjs/ufo sent to `match` (2026-12-02), and what its two attempts answered.
const sent = [
  {
    description: [
      'Success criterion failed: whole test suite with type tests passes.',
      '- `npx vitest run --typecheck` exited with 1',
      '- also a criterion of: exports-docs',
      '- it names: test/match.test.ts',
      "-   | Error: error TS5033: Could not write file '/work/trial/ufo/node_modules/vitest/dist/tsconfig.tmp.tsbuildinfo': EROFS: read-only file system",
      'Fix: make `npx vitest run --typecheck` pass (whole test suite with type tests passes).',
    ].join('\n'),
  },
];
const FIRST_ANSWER =
  'No code change. The fix asked for `npx vitest run --typecheck` to exit 0; its only error is TS5033 (EROFS) when vitest writes node_modules/vitest/dist/tsconfig.tmp.tsbuildinfo. In this worktree node_modules/vitest is a symlink to /work/trial/ufo/node_modules/vitest, which is on a read-only file system (`touch` there fails). All 545 tests pass and type checking reports no errors, and `npx vitest run --typecheck test/match.test.ts` passes here (22 tests, no type errors). src/match.ts and test/match.test.ts are unchanged and their own criteria still pass. The failure is environmental and cannot be fixed inside my owned paths.';
const SECOND_ANSWER = result(
  "No code change (second identical fix request). As established in the previous attempt, `npx vitest run --typecheck` fails only with TS5033 EROFS: vitest writes node_modules/vitest/dist/tsconfig.tmp.tsbuildinfo and node_modules/vitest is a symlink into the read-only /work/trial/ufo/node_modules. All 545 tests pass and 'Type Errors: no errors'. Nothing in src/match.ts or test/match.test.ts causes or can fix it; repeating this fix on the match task will not change the outcome.",
  [
    'Please escalate to the user instead of re-sending: the failing criterion is environmental (read-only node_modules), the tree is unchanged, and no task owns anything that could fix it.',
    'Separately, `npm run lint` fails on src/punycode.ts (pre-existing prettier issue at the base commit), also owned by no task.',
  ],
);

describe('a fix attempt that changed nothing', () => {
  it('gives the sentence of its own result that says why (the trial’s first answer: environmental)', () => {
    expect(couldNotAct(outcome({ result: result(FIRST_ANSWER) }), sent)).toBe(
      'The failure is environmental and cannot be fixed inside my owned paths.',
    );
  });

  it('prefers a sentence about the fix it was sent to an aside about another check (the trial’s second answer)', () => {
    const why = couldNotAct(outcome({ result: SECOND_ANSWER }), sent);
    expect(why).not.toMatch(/npm run lint|punycode/);
    expect(why).toBe(
      'Nothing in src/match.ts or test/match.test.ts causes or can fix it; repeating this fix on the match task will not change the outcome.',
    );
  });

  it('recognises other ways of saying it cannot act', () => {
    for (const said of [
      'I could not reproduce the failure: the suite passes in this worktree.',
      'The file is read-only in the sandbox, so nothing was written.',
      'This is outside my ownership (I own src/b/**).',
      'The check already fails on the base; it is not caused by my change.',
      'Writing there is not permitted (EACCES).',
    ])
      expect(couldNotAct(outcome({ result: result(`I looked at it. ${said}`) }), sent)).toBe(said);
  });

  it('is not sent again whatever its words: no reason given, or only what it did', () => {
    expect(couldNotAct(outcome({}), sent)).toBe('it changed nothing and gave no reason');
    expect(couldNotAct(outcome({ result: result('Looked at the suite. All good.') }), sent)).toBe(
      'it changed nothing; it said: Looked at the suite.',
    );
    expect(
      couldNotAct(outcome({ status: 'failed', reason: 'the model stopped: max turns reached' }), sent),
    ).toBe('it changed nothing; it said: the model stopped: max turns reached');
  });

  it('names refused writes when it gave no reason', () => {
    const denied = [{ tool: 'Write', path: 'package.json', reason: 'outside ownership' }];
    expect(couldNotAct(outcome({ denied: denied as TaskRunOutcome['denied'] }), sent)).toMatch(
      /writes to package.json were refused/,
    );
  });

  it('an attempt that changed its tree acted on its fixes, even when it also says something is outside its ownership', () => {
    expect(
      couldNotAct(
        outcome({
          treeChanged: true,
          commit: 'abc',
          result: result('Fixed mine; the rest is outside my ownership.'),
        }),
        sent,
      ),
    ).toBeUndefined();
  });
});
