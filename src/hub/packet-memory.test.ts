import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importsOf, loadProjectMemory, renderProjectMemory } from './packet-memory.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'orchestra-memory-'));
  dirs.push(d);
  return d;
};

describe('project memory', () => {
  it('reads CLAUDE.md and its imports once each, relative to the importing file, up to five hops', () => {
    const root = temp();
    const home = temp();
    mkdirSync(join(root, 'docs'));
    writeFileSync(
      join(root, 'CLAUDE.md'),
      'Use pnpm.\n@AGENTS.md\nSee @docs/style.md and @AGENTS.md again.\n',
    );
    writeFileSync(join(root, 'AGENTS.md'), 'Keep AGENTS.md updated.\n');
    writeFileSync(join(root, 'docs', 'style.md'), 'Two spaces. @./deep1.md\n');
    for (let i = 1; i <= 6; i++)
      writeFileSync(join(root, 'docs', `deep${i}.md`), `deep ${i} @./deep${i + 1}.md\n`);
    writeFileSync(join(home, 'mine.md'), 'from home\n');
    mkdirSync(join(root, '.claude'));
    writeFileSync(join(root, '.claude', 'CLAUDE.md'), 'Local rules. @~/mine.md `@not-an-import.md`\n');
    const files = loadProjectMemory({ root, homeDir: home });
    expect(files.map((f) => [f.path, f.importedBy ?? null])).toEqual([
      ['CLAUDE.md', null],
      ['AGENTS.md', 'CLAUDE.md'],
      ['docs/style.md', 'CLAUDE.md'],
      ['docs/deep1.md', 'docs/style.md'],
      ['docs/deep2.md', 'docs/deep1.md'],
      ['docs/deep3.md', 'docs/deep2.md'],
      ['docs/deep4.md', 'docs/deep3.md'],
      ['.claude/CLAUDE.md', null],
      [join(home, 'mine.md'), '.claude/CLAUDE.md'],
    ]);
    const text = renderProjectMemory(files);
    expect(text.match(/Keep AGENTS.md updated\./g)).toHaveLength(1);
    expect(text).toContain('## AGENTS.md (imported by CLAUDE.md)');
  });

  it('ignores imports in code, e-mail addresses, and a project without memory', () => {
    expect(importsOf('mail me@example.com\n```\n@in-fence.md\n```\n`@inline.md` @real.md,')).toEqual([
      'real.md',
    ]);
    expect(loadProjectMemory({ root: temp() })).toEqual([]);
    expect(renderProjectMemory([])).toBe('');
  });
});
