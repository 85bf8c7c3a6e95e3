import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MISMATCH, runDemo } from '../../src/demo/index.js';
import type { StoredEvent } from '../../src/hub/index.js';
import { tempDir } from '../support/model-server.js';

// `orchestra demo` in process: the whole engine with the real Claude Code binary against the
// scripted model, on a copy of the bundled sample.

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const sumOf = (u: { inputTokens: number; outputTokens: number }) => ({
  inputTokens: u.inputTokens,
  outputTokens: u.outputTokens,
});

describe('orchestra demo (engine, real binary, scripted model)', () => {
  it('ends green after one fix round, reports the scripted tokens, and keeps only what --keep asks', async () => {
    const tmp = tempDir('orchestra-demo-test-');
    cleanup.push(tmp.remove);
    const events: StoredEvent[] = [];
    const r = await runDemo({ keep: true, tmpDir: realpathSync(tmp.path), onEvent: (e) => events.push(e) });
    expect(r.scripted).toBe(true);
    expect(r.scriptProblems).toEqual([]);
    expect(r.outcome.status, r.outcome.reason).toBe('succeeded');
    expect([...r.outcome.merged].sort()).toEqual(
      ['client', 'database', 'integration-tests', 'pubsub', 'server', 'types'].sort(),
    );
    expect(r.outcome.fixRounds).toBe(1);
    expect(r.outcome.openIssues).toEqual([]);
    expect(r.durationMs).toBeLessThan(180_000);

    // Strict waves: foundation, then three tracks in parallel, the server, the tests.
    const waves = events.flatMap((e) => (e.type === 'wave.started' ? [e.tasks] : []));
    expect(waves).toEqual([
      ['types'],
      expect.arrayContaining(['database', 'pubsub', 'client']),
      ['server'],
      ['integration-tests'],
    ]);

    // The validator found the mismatch in the server, and the fix wave resolved it.
    const findings = events.filter((e) => e.type === 'validation.finding');
    expect(findings.map((e) => e.taskId)).toEqual(findings.map(() => MISMATCH.taskId));
    expect(findings.map((e) => (e.type === 'validation.finding' ? e.message : ''))).toContain(
      'Interface mismatch in Operation type (contract operation)',
    );
    expect(r.report.fixes.length).toBeGreaterThan(0);
    expect(r.report.fixes.every((f) => f.ownerTask === MISMATCH.taskId && f.status === 'resolved')).toBe(
      true,
    );
    const server = r.report.tasks.find((t) => t.id === MISMATCH.taskId);
    expect(server?.attempts).toBe(2);

    // The report's token figures equal the script's, per layer, per task and in total.
    const layer = (name: string) => r.report.layers.find((l) => l.layer === name);
    expect(layer('orchestrator')).toMatchObject(r.scriptedUsage.orchestrator);
    expect(layer('specialist')).toMatchObject(r.scriptedUsage.specialists);
    expect(layer('validation')).toMatchObject({ inputTokens: 0, outputTokens: 0 });
    expect(r.report.total).toMatchObject(r.scriptedUsage.total);
    for (const t of r.report.tasks)
      expect(sumOf(t.usage), t.id).toEqual(
        sumOf(r.scriptedUsage.tasks[t.id] ?? { inputTokens: -1, outputTokens: -1 }),
      );

    // The kept repository: the integration branch type-checks and its integration tests pass.
    const repo = r.repo as string;
    expect(existsSync(repo)).toBe(true);
    const check = path.join(repo, '.orchestra', 'check');
    execFileSync('git', ['worktree', 'add', '--detach', check, r.outcome.integrationBranch], {
      cwd: repo,
      stdio: 'pipe',
    });
    expect(
      execFileSync('git', ['show', `HEAD:${MISMATCH.file}`], { cwd: check, encoding: 'utf8' }),
    ).not.toContain('user_id');
    execFileSync(process.execPath, [tsc, '--noEmit', '-p', '.'], { cwd: check, stdio: 'pipe' });
    const tests = execFileSync(process.execPath, ['scripts/test.mjs'], { cwd: check, encoding: 'utf8' });
    expect(tests).toMatch(/^# pass 7$/m);
    // Only the kept repository and the agents' home are in the temporary directory.
    expect(readdirSync(path.dirname(repo)).sort()).toEqual(['collab-editor', 'home']);
  });
});
