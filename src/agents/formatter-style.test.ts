import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { frontMatterStyle, styleFrontMatter } from './formatter-style.js';
import { formatterRewrites } from './frontmatter.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
const project = (files: Record<string, string>) => {
  const d = mkdtempSync(join(tmpdir(), 'orchestra-style-'));
  dirs.push(d);
  for (const [f, t] of Object.entries(files)) writeFileSync(join(d, f), t);
  return d;
};

describe('front matter as the project formats it', () => {
  it('follows Biome only in a Biome project without Prettier or oxfmt', () => {
    expect(frontMatterStyle(project({}))).toBe('prettier');
    expect(frontMatterStyle(project({ 'biome.json': '{}' }))).toBe('biome');
    expect(frontMatterStyle(project({ 'package.json': '{"devDependencies":{"@biomejs/biome":"2"}}' }))).toBe(
      'biome',
    );
    expect(frontMatterStyle(project({ 'biome.json': '{}', '.prettierrc': '{}' }))).toBe('prettier');
    expect(
      frontMatterStyle(project({ 'biome.json': '{}', 'package.json': '{"devDependencies":{"oxfmt":"0"}}' })),
    ).toBe('prettier');
    expect(styleFrontMatter('---\nname: a\n---\n', 'biome')).toBe('---\n\nname: a\n---\n');
    expect(styleFrontMatter('---\nname: a\n---\n', 'prettier')).toBe('---\nname: a\n---\n');
  });

  it('warns where the formatter would rewrite the front matter, at the line', () => {
    const blank = '---\n\nname: a\ndescription: b  \n\n---\n\nBody.\n';
    expect(formatterRewrites(blank, 'prettier').map((r) => r.line)).toEqual([2, 5, 4]);
    expect(formatterRewrites(blank, 'biome').map((r) => r.line)).toEqual([5, 4]);
    expect(formatterRewrites('---\nname: a\n---\n\nBody.\n', 'prettier')).toEqual([]);
    expect(formatterRewrites('---\nname: a\n---\n\nBody.\n', 'biome').map((r) => r.message)).toEqual([
      'no blank line after the opening "---": Biome inserts one, so its check fails',
    ]);
  });
});
