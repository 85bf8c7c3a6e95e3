import { describe, expect, it } from 'vitest';
import { runOrchestra } from '../support/cli.js';

describe('orchestra --help', () => {
  it('lists the commands and exits 0', () => {
    const r = runOrchestra(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: orchestra/);
    for (const c of ['init', 'doctor', 'agents', 'plan', 'schema', 'task', 'validate', 'clean'])
      expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });

  it('rejects an unknown command with exit 2', () => {
    const r = runOrchestra(['no-such-command']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command/);
  });
});

describe('orchestra schema', () => {
  it('prints each schema as JSON Schema', () => {
    for (const name of ['agent', 'plan', 'handoff', 'result', 'event']) {
      const r = runOrchestra(['schema', name]);
      expect(r.code, r.stderr).toBe(0);
      const s = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(s.$schema).toMatch(/json-schema\.org/);
    }
  });

  it('plan schema requires version, goal and tasks', () => {
    const s = JSON.parse(runOrchestra(['schema', 'plan']).stdout) as { required: string[] };
    expect(s.required).toEqual(expect.arrayContaining(['version', 'goal', 'tasks']));
  });

  it('names the choices for an unknown schema and exits 2', () => {
    const r = runOrchestra(['schema', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('choose one of: agent, plan, handoff, result, event');
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
