import { afterEach, describe, expect, it } from 'vitest';
import { plan, tempDir, writeFiles } from '../../test/validator/fixture.js';
import { checkContracts } from './contract-check.js';
import { SourceFileCache } from './ts-program.js';

// Contracts checked the way TypeScript checks them: default exports, compact type text, and no
// finding whose expected and actual read the same.

const cache = new SourceFileCache();
const dirs: Array<() => void> = [];
afterEach(() => {
  for (const c of dirs.splice(0)) c();
});

function check(definition: string, files: Record<string, string>) {
  const { dir, cleanup } = tempDir();
  dirs.push(cleanup);
  writeFiles(dir, files);
  const p = plan({
    contracts: [{ id: 'rule', kind: 'typescript', owner: 'rules', definition }],
    tasks: [
      { id: 'rules', title: 'rule', agent: 'rules-specialist', owns: ['src/rules/**'], provides: ['rule'] },
    ],
  });
  return checkContracts({ root: dir, plan: p, taskIds: ['rules'], cache });
}

const RULE_TYPE = ['export interface Rule { name: string; check(text: string): string[]; fixes: [] }'].join(
  '\n',
);

describe('contracts checked the way TypeScript checks them', () => {
  it('passes a default-exported contract symbol against an implementation that default-exports it', () => {
    const definition = `${RULE_TYPE}\ndeclare const rule: Rule;\nexport default rule;`;
    const findings = check(definition, {
      'src/rules/types.ts': RULE_TYPE,
      'src/rules/no-todo.ts': [
        "import type { Rule } from './types';",
        "const rule: Rule = { name: 'no-todo', check: (t) => (t.includes('TODO') ? ['todo'] : []), fixes: [] };",
        'export default rule;',
      ].join('\n'),
    });
    expect(findings).toEqual([]);
  });

  it('passes `export default function` and reports a named export where the contract wants the default', () => {
    const definition = 'export default function lint(text: string): string[];';
    expect(
      check(definition, {
        'src/rules/lint.ts': 'export default function lint(text: string): string[] { return [text]; }\n',
      }),
    ).toEqual([]);
    const wrong = check(definition, {
      'src/rules/lint.ts': 'export function lint(text: string): string[] { return [text]; }\n',
    });
    expect(wrong).toHaveLength(1);
    expect(wrong[0]?.defects).toEqual([
      expect.objectContaining({ kind: 'missing-export', member: 'default (lint)' }),
    ]);
    expect(wrong[0]?.title).toContain('lint');
  });

  it('names the symbol and member that differ, never one whose expected and actual are the same', () => {
    const definition = `${RULE_TYPE}\ndeclare const rule: Rule;\nexport default rule;`;
    const findings = check(definition, {
      'src/rules/types.ts': RULE_TYPE,
      'src/rules/no-todo.ts': [
        'const rule = { name: 1, check: (t: string) => [t], fixes: [] as [] };',
        'export default rule;',
      ].join('\n'),
    });
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect(f?.title).toContain('rule');
    for (const d of f?.defects ?? []) expect(d.expected).not.toBe(d.actual);
    expect(f?.defects?.map((d) => d.member)).toContain('rule.name');
  });

  it('prints an empty tuple or array type in under 40 characters', () => {
    const definition = 'export type Fixes = [];\nexport type Names = string[];';
    const findings = check(definition, {
      'src/rules/types.ts': 'export type Fixes = [string];\nexport type Names = number[];\n',
    });
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect(f?.expected?.length).toBeLessThan(80);
    for (const d of f?.defects ?? []) {
      expect(d.expected.length).toBeLessThan(40);
      expect(d.actual.length).toBeLessThan(40);
    }
    expect(f?.expected).toContain('[]');
    expect(f?.details.join('\n').length).toBeLessThan(400);
  });
});
