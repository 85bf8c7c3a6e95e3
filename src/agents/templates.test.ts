import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintAgentDir } from './lint.js';
import { readAgentDir } from './load.js';
import { BUILTIN_AGENT_NAMES, BUILTIN_AGENTS_DIR } from './templates.js';

const agents = readAgentDir(BUILTIN_AGENTS_DIR, 'builtin').results.map((r) => r.agent!);
const byName = (name: string) => {
  const a = agents.find((x) => x?.name === name);
  if (!a) throw new Error(`no built-in ${name}`);
  return a;
};
const SPECIALISTS = BUILTIN_AGENT_NAMES.filter((n) => n.endsWith('-specialist'));

describe('built-in templates', () => {
  it('are exactly the eight agents, each in <name>.md, and lint clean', () => {
    expect(agents.map((a) => a.name).sort()).toEqual([...BUILTIN_AGENT_NAMES].sort());
    for (const a of agents) expect(a.source.path).toBe(join(BUILTIN_AGENTS_DIR, `${a.name}.md`));
    expect(lintAgentDir(BUILTIN_AGENTS_DIR).problems).toEqual([]);
  });

  it('the orchestrator can only read: Read, Grep, Glob', () => {
    const o = byName('orchestrator');
    expect(o.tools).toEqual(['Read', 'Grep', 'Glob']);
    expect(o.prompt).toMatch(/never write/i);
    for (const field of ['owns', 'dependsOn', 'contracts', 'successCriteria'])
      expect(o.prompt).toContain(field);
  });

  it('specialists have the working tools and no way to spawn agents', () => {
    expect(SPECIALISTS).toHaveLength(6);
    for (const name of SPECIALISTS) {
      const a = byName(name);
      expect(a.tools?.slice().sort()).toEqual([
        'Bash',
        'Edit',
        'Glob',
        'Grep',
        'Read',
        'Write',
        'mcp__orchestra__*',
      ]);
      for (const field of ['summary', 'contracts', 'testRequirements', 'dependenciesNeeded', 'notes'])
        expect(a.prompt, `${name} mentions ${field}`).toContain(`\`${field}\``);
      expect(a.prompt).toMatch(/Write only inside your owned paths/);
      expect(a.prompt).toMatch(/ask the hub/);
    }
  });

  it('the integration validator reads and runs checks but cannot write', () => {
    const v = byName('integration-validator');
    expect(v.tools?.slice().sort()).toEqual(['Bash', 'Glob', 'Grep', 'Read']);
  });

  it('each specialist has its own craft section (not one prompt copied eight times)', () => {
    const crafts = SPECIALISTS.map(
      (n) => readFileSync(join(BUILTIN_AGENTS_DIR, `${n}.md`), 'utf8').split('## How you work')[0],
    );
    expect(new Set(crafts).size).toBe(SPECIALISTS.length);
  });
});
