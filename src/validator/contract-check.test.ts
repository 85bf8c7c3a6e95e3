import { afterEach, describe, expect, it } from 'vitest';
import { plan, tempDir, writeFiles } from '../../test/validator/fixture.js';
import { checkContracts } from './contract-check.js';
import { SourceFileCache } from './ts-program.js';

// Shared so the lib files are parsed once for the whole file.
const cache = new SourceFileCache();

const dirs: Array<() => void> = [];
afterEach(() => {
  for (const c of dirs.splice(0)) c();
});

function check(definition: string, files: Record<string, string>, consumes = true) {
  const { dir, cleanup } = tempDir();
  dirs.push(cleanup);
  writeFiles(dir, files);
  const p = plan({
    contracts: [{ id: 'operation', kind: 'typescript', owner: 'backend', definition }],
    tasks: [
      {
        id: 'backend',
        title: 'server',
        agent: 'backend-specialist',
        owns: ['src/server/**'],
        provides: ['operation'],
      },
      {
        id: 'frontend',
        title: 'editor',
        agent: 'frontend-specialist',
        owns: ['src/client/**'],
        consumes: consumes ? ['operation'] : [],
      },
    ],
  });
  return checkContracts({ root: dir, plan: p, taskIds: ['backend', 'frontend'], cache });
}

const OPERATION = 'export interface Operation { userId: string; operation: Transform }';

describe('checkContracts', () => {
  it("reports the article's Operation mismatch on both sides with the standardization", () => {
    const findings = check(OPERATION, {
      'src/server/ops.ts':
        'export type Delta = { d: number };\nexport interface Operation { user_id: number; operation: Delta }\n',
      'src/client/editor.ts':
        'type Transform = { t: string };\nexport interface Operation { userId: string; op: Transform }\n',
    });
    const backend = findings.find((f) => f.taskId === 'backend');
    const frontend = findings.find((f) => f.taskId === 'frontend');
    expect(backend?.actual).toBe('{user_id: number, operation: Delta}');
    expect(frontend?.actual).toBe('{userId: string, op: Transform}');
    for (const f of [backend, frontend]) {
      expect(f?.fix).toBe('standardize to `{userId: string, operation: Transform}`');
      expect(f?.title).toContain('Interface mismatch in Operation type');
    }
    expect(backend?.agent).toBe('backend-specialist');
    expect(backend?.defects?.map((d) => d.kind).sort()).toEqual([
      'property-type',
      'property-type',
      'renamed-property',
    ]);
    expect(frontend?.defects?.map((d) => d.kind)).toEqual(['renamed-property']);
    expect(backend?.location).toEqual({ file: 'src/server/ops.ts', line: 2, column: 1 });
  });

  it('passes a matching implementation (formatting and equivalent types do not count)', () => {
    const findings = check('export interface Operation { userId: string; tags: string[]; at?: number }', {
      'src/server/ops.ts':
        'export type Operation = {\n  userId: string,\n  tags: Array<string>;\n  at?: number };\n',
      'src/client/editor.ts':
        "import type { Operation } from '../server/ops.js';\nexport const o: Operation = { userId: 'a', tags: [] };\nexport const u = o.userId;\n",
    });
    expect(findings).toEqual([]);
  });

  it('detects a missing export', () => {
    const [f] = check(OPERATION, {
      'src/server/ops.ts': 'interface Operation { userId: string }\nexport const x = 1;\n',
    });
    expect(f?.defects?.[0]?.kind).toBe('missing-export');
    expect(f?.taskId).toBe('backend');
  });

  it('detects a missing property', () => {
    const [f] = check('export interface P { a: string; b: number }', {
      'src/server/p.ts': 'export interface P { a: string }',
    });
    expect(f?.defects).toEqual([
      { kind: 'missing-property', member: 'b', expected: 'b: number', actual: '(absent)' },
    ]);
  });

  it('detects an extra property', () => {
    const [f] = check('export interface P { a: string }', {
      'src/server/p.ts': 'export interface P { a: string; zzz: boolean }',
    });
    expect(f?.defects).toEqual([
      { kind: 'extra-property', member: 'zzz', expected: '(absent)', actual: 'zzz: boolean' },
    ]);
  });

  it('detects a property type difference', () => {
    const [f] = check('export interface P { a: string }', {
      'src/server/p.ts': 'export interface P { a: number }',
    });
    expect(f?.defects).toEqual([
      { kind: 'property-type', member: 'a', expected: 'a: string', actual: 'a: number' },
    ]);
  });

  it('detects optional vs required', () => {
    const [f] = check('export interface P { a: string }', {
      'src/server/p.ts': 'export interface P { a?: string }',
    });
    expect(f?.defects?.map((d) => d.kind)).toEqual(['optionality']);
  });

  it('detects a renamed property by normalized name', () => {
    const [f] = check('export interface P { userId: string }', {
      'src/server/p.ts': 'export interface P { user_id: string }',
    });
    expect(f?.defects).toEqual([
      { kind: 'renamed-property', member: 'userId', expected: 'userId: string', actual: 'user_id: string' },
    ]);
  });

  it('detects different function parameters', () => {
    const [f] = check('export function apply(op: string, at: number): void;', {
      'src/server/p.ts': 'export function apply(op: string): void {}',
    });
    expect(f?.defects).toEqual([
      { kind: 'parameters', expected: '(op: string, at: number)', actual: '(op: string)' },
    ]);
  });

  it('detects a different return type', () => {
    const [f] = check('export type Apply = (op: string) => Promise<void>;', {
      'src/server/p.ts': 'export const Apply = async (op: string): Promise<number> => op.length;',
    });
    expect(f?.defects).toEqual([
      { kind: 'return-type', expected: 'Promise<void>', actual: 'Promise<number>' },
    ]);
  });

  it("checks a consumer's uses typed against the contract (access and object literal)", () => {
    const findings = check('export interface Operation { userId: string; operation: string }', {
      'src/server/ops.ts': 'export interface Operation { userId: string; operation: string }\n',
      'src/client/editor.ts': [
        "import type { Operation } from '../server/ops.js';",
        'declare const o: Operation;',
        '// @ts-expect-error the type check reports this too',
        'export const a = o.op;',
        '// @ts-expect-error',
        "export const b: Operation = { userId: 'u', op: 'x' };",
      ].join('\n'),
    });
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect(f?.taskId).toBe('frontend');
    expect(f?.defects).toContainEqual({
      kind: 'renamed-property',
      member: 'operation',
      expected: 'operation: string',
      actual: 'op',
    });
    expect(f?.defects).toContainEqual({
      kind: 'missing-property',
      member: 'operation',
      expected: 'operation: string',
      actual: '(absent)',
    });
    expect(f?.location).toEqual({ file: 'src/client/editor.ts', line: 4, column: 18 });
  });

  it('does not take a library type of the same name for the contract', () => {
    const findings = check('export interface Event { kind: string }', {
      'src/server/ev.ts': 'export interface Event { kind: string }',
      'src/client/dom.ts': 'declare const ev: globalThis.Event;\nexport const t = ev.target;\n',
    });
    expect(findings).toEqual([]);
  });

  it('ignores a task that does not consume the contract', () => {
    const findings = check(
      OPERATION,
      {
        'src/server/ops.ts':
          'export interface Operation { userId: string; operation: Transform }\ntype Transform = 1;',
        'src/client/editor.ts': 'export interface Operation { x: 1 }',
      },
      false,
    );
    expect(findings).toEqual([]);
  });
});
