import { readdirSync, realpathSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runOrchestraAsync } from '../support/cli.js';
import { tempDir } from '../support/model-server.js';

// The built `orchestra demo --json`, as `npm run demo` runs it: green, scripted and said so, with a
// report that parses, and nothing left in the temporary directory.

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.reverse()) c();
  cleanup = [];
});

describe('orchestra demo (built CLI)', () => {
  it('prints one JSON object whose report equals the scripted usage and leaves TMPDIR empty', async () => {
    const tmp = tempDir('orchestra-demo-cli-');
    cleanup.push(tmp.remove);
    const dir = realpathSync(tmp.path);
    const started = Date.now();
    const r = await runOrchestraAsync(['demo', '--json'], { env: { TMPDIR: dir } });
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(180_000);
    const out = JSON.parse(r.stdout) as {
      scripted: boolean;
      repo: string | null;
      outcome: { status: string; fixRounds: number };
      scriptProblems: string[];
      scriptedUsage: { total: Record<string, number> };
      report: { version: number; total: Record<string, number>; merged: string[] };
    };
    expect(out.scripted).toBe(true);
    expect(out.repo).toBeNull();
    expect(out.outcome).toMatchObject({ status: 'succeeded', fixRounds: 1 });
    expect(out.scriptProblems).toEqual([]);
    expect(out.report.version).toBe(1);
    expect(out.report.merged).toHaveLength(6);
    expect(out.report.total).toMatchObject(out.scriptedUsage.total);
    // Said plainly, first and last: the model is scripted, and how to use Claude instead.
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/model is SCRIPTED/);
    expect(r.stderr.slice(r.stderr.lastIndexOf('Reminder'))).toMatch(
      /SCRIPTED[\s\S]*ANTHROPIC_API_KEY[\s\S]*orchestra run/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('documents the scripted model and the way to Claude in --help', async () => {
    const r = await runOrchestraAsync(['demo', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--keep/);
    expect(r.stdout).toMatch(/SCRIPTED/);
    expect(r.stdout).toMatch(/ANTHROPIC_API_KEY/);
  });
});
