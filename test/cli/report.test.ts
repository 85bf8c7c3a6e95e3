import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHub } from '../../src/hub/index.js';
import { fillFixtureRun, tempHubRepo } from '../run/hub-fixture.js';
import { runOrchestra } from '../support/cli.js';

const dirs: Array<() => void> = [];
afterEach(() => {
  for (const c of dirs.splice(0)) c();
});

function repoWithRuns() {
  const r = tempHubRepo((hub, clock) => {
    fillFixtureRun(hub, clock, { baseline: true });
    clock.advance(3_600_000);
    fillFixtureRun(hub, clock, { runId: 'run-2' });
  });
  dirs.push(r.cleanup);
  return r.dir;
}

describe('orchestra report', () => {
  it('prints the newest run as markdown by default (golden)', async () => {
    const dir = repoWithRuns();
    const r = runOrchestra(['report'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# Orchestra report: run run-2');
    await expect(r.stdout).toMatchFileSnapshot('./fixtures/golden/report-newest.md');
  });

  it('--format json parses and its figures equal the usage rows of the hub', () => {
    const dir = repoWithRuns();
    const r = runOrchestra(['report', 'run-1', '--format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const hub = openHub({ path: join(dir, '.orchestra', 'hub.db'), readonly: true });
    try {
      const rows = hub.usage.list('run-1');
      const sum = (layer: string, key: 'inputTokens' | 'outputTokens' | 'cacheReadInputTokens' | 'costUsd') =>
        rows.filter((u) => u.layer === layer).reduce((s, u) => s + u[key], 0);
      for (const layer of report.layers) {
        expect(layer.inputTokens).toBe(sum(layer.layer, 'inputTokens'));
        expect(layer.outputTokens).toBe(sum(layer.layer, 'outputTokens'));
        expect(layer.cacheReadInputTokens).toBe(sum(layer.layer, 'cacheReadInputTokens'));
        expect(layer.costUsd).toBe(sum(layer.layer, 'costUsd'));
      }
      expect(report.baseline.usage.costUsd).toBe(sum('baseline', 'costUsd'));
      expect(report.tasks.map((t: { id: string }) => t.id)).toEqual(['api', 'db', 'web']);
    } finally {
      hub.close();
    }
  });

  it('--format html --out writes a self-contained page and says where', () => {
    const dir = repoWithRuns();
    const r = runOrchestra(['report', 'run-1', '--format', 'html', '--out', 'out/report.html'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const file = join(dir, 'out', 'report.html');
    expect(r.stderr).toBe(`wrote the html report to ${file}\n`);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('900 vs 15,400 tokens (5.8%)');
  });

  it('exits 2 with a clear message for a bad format, an unknown run, and a repository without runs', () => {
    const dir = repoWithRuns();
    const bad = runOrchestra(['report', '--format', 'pdf'], { cwd: dir });
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'orchestra: unknown --format "pdf"; choose one of: md, json, html\n',
    ]);
    const unknown = runOrchestra(['report', 'nope'], { cwd: dir });
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      'orchestra: no run "nope" in the hub; `orchestra runs` lists them\n',
    ]);
    const empty = tempHubRepo(() => {});
    dirs.push(empty.cleanup);
    const none = runOrchestra(['report'], { cwd: empty.dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      `orchestra: no runs yet in ${empty.dir}: start one with orchestra run "<request>" (or --plan <file>)\n`,
    );
  });

  it('does not create a hub where there is none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orchestra-no-hub-'));
    dirs.push(() => rmSync(dir, { recursive: true, force: true }));
    const r = runOrchestra(['report'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no runs yet in ${dir}`);
    expect(existsSync(join(dir, '.orchestra'))).toBe(false);
  });
});
