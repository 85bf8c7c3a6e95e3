import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/load.js';
import { DEFAULT_CONFIG } from '../config/schema.js';
import { initProject } from './init-project.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'orchestra-init-'));
  mkdirSync(join(root, '.git'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const gitignore = () => readFileSync(join(root, '.gitignore'), 'utf8');
const status = (kind: string) => initProject({ cwd: root }).files.find((f) => f.kind === kind)?.status;

describe('initProject', () => {
  it('writes a config that loads as the defaults', () => {
    initProject({ cwd: root });
    const text = readFileSync(join(root, 'orchestra.config.json'), 'utf8');
    expect(parseConfigText(text, 'orchestra.config.json')).toEqual(DEFAULT_CONFIG);
  });

  it.each([
    ['.orchestra', 'unchanged'],
    ['/.orchestra/', 'unchanged'],
    ['node_modules\r\n.orchestra/\r\n', 'unchanged'],
    ['  .orchestra/  ', 'unchanged'],
    ['.orchestra-other/', 'updated'],
    ['# .orchestra/', 'updated'],
  ])('.gitignore %j → %s', (content, expected) => {
    writeFileSync(join(root, '.gitignore'), content);
    expect(status('gitignore')).toBe(expected);
  });

  it('appends .orchestra/ exactly once whatever the .gitignore held (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('node_modules', 'dist/', '', '# c', '*.log'), { maxLength: 5 }),
        fc.boolean(),
        (lines, newline) => {
          writeFileSync(join(root, '.gitignore'), lines.join('\n') + (newline ? '\n' : ''));
          initProject({ cwd: root });
          const once = gitignore();
          initProject({ cwd: root });
          expect(gitignore()).toBe(once);
          expect(once.split('\n').filter((l) => l === '.orchestra/')).toHaveLength(1);
          expect(once.endsWith('.orchestra/\n')).toBe(true);
          expect(once.startsWith(lines.join('\n'))).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });
});
