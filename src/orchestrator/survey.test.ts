import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportedSignatures, renderSurvey, surveyRepository } from './survey.js';

let root: string;
const write = (p: string, s: string) => {
  mkdirSync(dirname(join(root, p)), { recursive: true });
  writeFileSync(join(root, p), s);
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'orchestra-survey-'));
  execFileSync('git', ['init', '-q'], { cwd: root });
  write('.gitignore', 'secret/\n*.log\n');
  write(
    'package.json',
    JSON.stringify({
      name: 'app',
      dependencies: { ws: '^8', pg: '^8' },
      devDependencies: { vitest: '^4' },
      scripts: { test: 'vitest' },
    }),
  );
  write(
    'src/types/operation.ts',
    'export interface Operation {\n  userId: string;\n  operation: Transform;\n}\nexport type Transform = { pos: number };\nconst hidden = 1;\n',
  );
  write(
    'src/server/index.ts',
    'export async function applyOperation(op: Operation): Promise<void> {\n  await save(op);\n}\nexport const PORT: number = 8080;\nexport class Hub { send() {} private x = 1 }\n',
  );
  write('src/server/index.test.ts', 'export const t = 1;\n');
  write('secret/key.ts', 'export const KEY = "x";\n');
  write('debug.log', 'noise');
  // Orchestra's own files: not the user's project.
  write('.claude/agents/backend-specialist.md', '---\nname: backend-specialist\n---\n');
  write('orchestra.config.json', '{}\n');
  write('.claude/settings.json', '{}\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('surveyRepository', () => {
  it('lists the tree without ignored files, the manifests, exports, agents and decisions', async () => {
    const s = await surveyRepository({
      root,
      agents: [{ name: 'backend-specialist', description: 'Servers and APIs' }],
      decisions: [{ id: 'd1', decision: 'PostgreSQL for persistence' }],
    });
    expect(s.files).toEqual([
      '.claude/settings.json',
      '.gitignore',
      'package.json',
      'src/server/index.test.ts',
      'src/server/index.ts',
      'src/types/operation.ts',
    ]);
    expect(s.manifests).toEqual([
      {
        path: 'package.json',
        name: 'app',
        dependencies: ['pg', 'ws'],
        devDependencies: ['vitest'],
        scripts: ['test'],
      },
    ]);
    expect(s.modules).toEqual([
      {
        path: 'src/server/index.ts',
        exports: [
          'export async function applyOperation(op: Operation): Promise<void>',
          'const PORT: number',
          'class Hub { send }',
        ],
      },
      {
        path: 'src/types/operation.ts',
        exports: [
          'export interface Operation { userId: string; operation: Transform; }',
          'export type Transform = { pos: number };',
        ],
      },
    ]);
    const text = renderSurvey(s);
    expect(text).toContain('- backend-specialist: Servers and APIs');
    expect(text).toContain('- [d1] PostgreSQL for persistence');
    expect(text).toContain('dependencies: pg, ws');
    expect(text).not.toContain('secret');
  });

  it('caps the file list and says how many were left out', async () => {
    const s = await surveyRepository({ root, maxFiles: 2 });
    expect(s.files).toHaveLength(2);
    expect(s.filesOmitted).toBe(4);
    expect(renderSurvey(s)).toContain('… 4 more files not listed');
  });
});

describe('exportedSignatures', () => {
  it('keeps re-exports and leaves bodies out', () => {
    expect(
      exportedSignatures('a.ts', "export * from './b.js';\nexport function f(a: number) { return a; }\n"),
    ).toEqual(["export * from './b.js';", 'export function f(a: number)']);
  });
});
