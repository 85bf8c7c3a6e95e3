import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runOrchestra } from '../support/cli.js';
import { commitOnBranch, initRepo, sh, tempDir } from '../validator/fixture.js';

// `orchestra validate` for branches made elsewhere (issue 10, item 7).

const dirs: Array<() => void> = [];
afterEach(() => {
  for (const c of dirs.splice(0)) c();
});

// Two tasks that both own src/shared/**: the plan would never let them run at once, but their
// branches already exist (made by other tools, or by hand).
const OVERLAP_PLAN = `version: 1
goal: two features touching one module
tasks:
  - id: first
    title: first feature
    agent: a
    owns: ["src/shared/**", "src/first/**"]
    successCriteria:
      - description: first works
        command: test -f src/first/f.ts
  - id: second
    title: second feature
    agent: b
    owns: ["src/shared/**", "src/second/**"]
    successCriteria:
      - description: second works
        command: test -f src/second/s.ts
`;

function fixture(): { repo: string; planFile: string } {
  const { dir, cleanup } = tempDir('orchestra-validate-existing-');
  dirs.push(cleanup);
  const repo = join(dir, 'repo');
  const planFile = join(dir, 'plan.yaml');
  writeFileSync(planFile, OVERLAP_PLAN);
  mkdirSync(repo, { recursive: true });
  initRepo(repo, { 'src/shared/config.ts': 'export const mode = "base";\n' });
  commitOnBranch(repo, 'feature/first', 'main', {
    'src/shared/config.ts': 'export const mode = "first";\n',
    'src/first/f.ts': 'export const f = 1;\n',
  });
  commitOnBranch(repo, 'feature/second', 'main', {
    'src/shared/config.ts': 'export const mode = "second";\n',
    'src/second/s.ts': 'export const s = 2;\n',
  });
  return { repo, planFile };
}

describe('orchestra validate of existing branches', () => {
  it('warns about overlapping ownership, merges in plan order, reports the conflict (exit 1), and clean removes what it left', () => {
    const { repo, planFile } = fixture();
    // Given in the reverse order: the plan's order (first, then second) decides.
    const r = runOrchestra(
      ['validate', '--plan', planFile, '--task', 'second=feature/second', '--task', 'first=feature/first'],
      { cwd: repo },
    );
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/warning: .*src\/shared/);
    expect(r.stdout).toMatch(/✓ first \(feature\/first\)/);
    expect(r.stdout).toMatch(/✗ second \(feature\/second\) conflict in src\/shared\/config.ts/);
    expect(r.stdout).toContain('Merge conflict: second (feature/second) with first');
    // The conflict is known before any type check or criterion ran.
    const conflictAt = r.stderr.indexOf('conflict: second');
    expect(conflictAt).toBeGreaterThanOrEqual(0);
    expect(conflictAt).toBeLessThan(r.stderr.indexOf('checking the base'));
    expect(conflictAt).toBeLessThan(r.stderr.indexOf('type-checking'));
    // Progress says which criteria ran and how they ended.
    expect(r.stderr).toMatch(/✓ criterion `test -f src\/first\/f.ts` \(first\) passed/);
    const branch = (r.stdout.match(/Merge train into (orchestra\/validate-[0-9a-f]+\/integration)/) ?? [])[1];
    expect(branch).toBeDefined();
    expect(sh(repo, 'branch', '--list', branch as string).trim()).toContain(branch as string);

    // `orchestra clean` removes the integration branch and worktree validate left.
    const clean = runOrchestra(['clean'], { cwd: repo });
    expect(clean.code, clean.stderr + clean.stdout).toBe(0);
    expect(sh(repo, 'branch', '--list', 'orchestra/*').trim()).toBe('');
    expect(sh(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
    expect(
      existsSync(join(repo, '.orchestra', 'worktrees', (branch as string).split('/')[1] as string)),
    ).toBe(false);
    expect(sh(repo, 'status', '--porcelain').trim()).toBe('');
  });

  it('with --json prints every outcome, refusals included, as one JSON object on stdout', () => {
    const { repo, planFile } = fixture();
    const ok = runOrchestra(
      [
        'validate',
        '--plan',
        planFile,
        '--task',
        'first=feature/first',
        '--task',
        'second=feature/second',
        '--json',
        '--no-merge',
      ],
      { cwd: repo },
    );
    expect(ok.code, ok.stderr).toBe(1);
    const report = JSON.parse(ok.stdout) as { ok: boolean; warnings: string[]; conflicts: unknown[] };
    expect(report.ok).toBe(false);
    expect(report.conflicts).toHaveLength(1);
    expect(report.warnings.join('\n')).toMatch(/src\/shared/);
    const refusals: Array<[string[], string]> = [
      [['validate', '--plan', planFile, '--task', 'first=nope', '--json'], 'unknown-ref'],
      [['validate', '--plan', planFile, '--task', 'ghost=main', '--json'], 'unknown-task'],
      [['validate', '--json'], 'bad-flags'],
      [
        ['validate', '--plan', join(repo, 'missing.yaml'), '--task', 'first=main', '--json'],
        'plan-unreadable',
      ],
    ];
    for (const [args, code] of refusals) {
      const r = runOrchestra(args, { cwd: repo });
      expect(r.code, r.stderr).toBe(2);
      const out = JSON.parse(r.stdout) as {
        ok: boolean;
        exitCode: number;
        error: { code: string; message: string };
      };
      expect(out).toMatchObject({ ok: false, exitCode: 2, error: { code } });
      expect(out.error.message.length).toBeGreaterThan(10);
    }
  });
});
