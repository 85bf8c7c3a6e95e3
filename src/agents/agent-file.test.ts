import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAgentFile } from './agent-file.js';
import type { AgentProblem } from './problem.js';

const parse = (text: string) => parseAgentFile(text, 'a.md', 'project');
const only = (problems: AgentProblem[]) => problems.map((p) => [p.code, p.line, p.severity]);

const VALID = `---
name: api-writer
description: Writes the API
tools: Read, Edit, Bash(git diff *), mcp__hub__get, mcp__hub__*
model: sonnet
maxTurns: 20
---
You write APIs.
`;

describe('parseAgentFile', () => {
  it('loads a valid file: frontmatter, prompt body and source', () => {
    const r = parse(VALID);
    expect(r.problems).toEqual([]);
    expect(r.agent).toMatchObject({
      name: 'api-writer',
      description: 'Writes the API',
      tools: ['Read', 'Edit', 'Bash(git diff *)', 'mcp__hub__get', 'mcp__hub__*'],
      model: 'sonnet',
      maxTurns: 20,
      prompt: 'You write APIs.',
      source: { scope: 'project', path: 'a.md' },
    });
  });

  it('accepts CRLF line endings, a BOM and a tools list', () => {
    const text =
      '\uFEFF---\r\nname: x\r\ndescription: d\r\ntools:\r\n  - Read\r\n  - Grep\r\n---\r\nbody\r\n';
    const r = parse(text);
    expect(r.problems).toEqual([]);
    expect(r.agent?.tools).toEqual(['Read', 'Grep']);
  });

  it('no frontmatter: error on line 1, no agent', () => {
    const r = parse('# Just markdown\n');
    expect(only(r.problems)).toEqual([['no-frontmatter', 1, 'error']]);
    expect(r.agent).toBeUndefined();
  });

  it('frontmatter after blank lines is named as such', () => {
    const r = parse('\n---\nname: x\ndescription: d\n---\nbody');
    expect(r.problems[0]?.message).toMatch(/must start on line 1, not line 2/);
  });

  it('unterminated frontmatter', () => {
    expect(only(parse('---\nname: x\ndescription: d\n').problems)).toEqual([
      ['unterminated-frontmatter', 1, 'error'],
    ]);
  });

  it('invalid YAML: the line of the YAML error in the file', () => {
    const r = parse('---\nname: x\ndescription: Use when: things break\n---\nbody');
    expect(only(r.problems)).toEqual([['invalid-yaml', 3, 'error']]);
    expect(r.problems[0]?.message).toMatch(/invalid YAML: .*skips this file or misreads its values/);
    expect(r.problems[0]?.message).toContain('(the value of "description" contains ": "; put it in quotes)');
    expect(r.agent).toBeUndefined();
  });

  it('missing name (line 1) and missing description (line 1)', () => {
    const r = parse('---\ntools: Read\n---\nbody');
    expect(only(r.problems)).toEqual([
      ['missing-name', 1, 'error'],
      ['missing-description', 1, 'error'],
    ]);
    expect(r.agent).toBeUndefined();
  });

  it('bad name at its line', () => {
    const r = parse('---\ndescription: d\nname: My Agent\n---\nbody');
    expect(only(r.problems)).toEqual([['invalid-name', 3, 'error']]);
    expect(r.problems[0]?.message).toContain('"My Agent"');
    expect(r.problems[0]?.message).toMatch(
      /Claude Code loads it today against its documented rule, Orchestra does not/,
    );
    expect(parse('---\nname: -x\ndescription: d\n---\nb').problems[0]?.message).toMatch(
      /Claude Code skips this file/,
    );
  });

  it('unknown tools: at the line of each list item, with a suggestion', () => {
    const r = parse('---\nname: x\ndescription: d\ntools:\n  - Read\n  - Reed\n  - FooBar\n---\nbody');
    expect(only(r.problems)).toEqual([
      ['unknown-tool', 6, 'error'],
      ['unknown-tool', 7, 'error'],
    ]);
    expect(r.problems[0]?.message).toContain('unknown tool "Reed" (did you mean "Read"?)');
    // The agent still loads (Claude Code loads it too, minus the tool).
    expect(r.agent?.name).toBe('x');
  });

  it('unknown disallowed tool says it blocks nothing', () => {
    const r = parse('---\nname: x\ndescription: d\ndisallowedTools: Writ\n---\nbody');
    expect(r.problems[0]?.message).toMatch(/disallowedTools: unknown tool "Writ".*blocks nothing/);
  });

  it('malformed MCP rule', () => {
    const r = parse('---\nname: x\ndescription: d\ntools: mcp__\n---\nbody');
    expect(r.problems[0]?.code).toBe('unknown-tool');
  });

  it('unknown model, unknown permission mode and bad maxTurns at their lines', () => {
    const r = parse(
      '---\nname: x\ndescription: d\nmodel: gpt-4\npermissionMode: yolo\nmaxTurns: ten\n---\nbody',
    );
    expect(only(r.problems)).toEqual([
      ['unknown-model', 4, 'error'],
      ['unknown-permission-mode', 5, 'error'],
      ['invalid-field', 6, 'error'],
    ]);
    expect(r.problems[2]?.message).toBe('maxTurns must be a positive integer, not "ten"');
    expect(r.agent).toBeUndefined();
  });

  it.each([
    ['sonnet'],
    ['opus'],
    ['haiku'],
    ['inherit'],
    ['claude-sonnet-4-5-20250929'],
    ['claude-opus-4-1'],
  ])('accepts model %s', (model) => {
    expect(parse(`---\nname: x\ndescription: d\nmodel: ${model}\n---\nb`).problems).toEqual([]);
  });

  it('maxTurns 0 and 2.5 are rejected', () => {
    for (const v of ['0', '2.5', '-1']) {
      expect(only(parse(`---\nname: x\ndescription: d\nmaxTurns: ${v}\n---\nb`).problems)).toEqual([
        ['invalid-field', 4, 'error'],
      ]);
    }
  });

  it('other wrong types are reported by the schema at their key', () => {
    const r = parse('---\nname: x\ndescription: d\nbackground: sometimes\n---\nb');
    expect(only(r.problems)).toEqual([['invalid-field', 4, 'error']]);
    expect(r.problems[0]?.message).toMatch(/^background: /);
  });

  it('unknown keys are warnings with a suggestion', () => {
    const r = parse('---\nname: x\ndescription: d\ntool: Read\n---\nb');
    expect(only(r.problems)).toEqual([['unknown-key', 4, 'warning']]);
    expect(r.problems[0]?.message).toContain('(did you mean "tools"?)');
    expect(r.agent).toBeDefined();
  });

  it('an empty body is a warning', () => {
    expect(only(parse('---\nname: x\ndescription: d\n---\n\n').problems)).toEqual([
      ['empty-prompt', 1, 'warning'],
    ]);
  });

  it('frontmatter that is a list, not a mapping', () => {
    expect(only(parse('---\n- a\n- b\n---\nb').problems)).toEqual([['not-a-mapping', 2, 'error']]);
  });

  it('never throws and every problem has a line inside the file (property)', () => {
    const piece = fc.constantFrom(
      '---',
      'name: x',
      'name: Bad Name',
      'description: d',
      'description: a: b',
      'tools: Read, Nope',
      'tools:',
      '  - Grep',
      'model: nope',
      'maxTurns: -3',
      'permissionMode: plan',
      '  bad: [indent',
      'color: red',
      '',
      'body text',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (lines) => {
        const text = lines.join('\n');
        const r = parse(text);
        const lineCount = text.split('\n').length;
        for (const p of r.problems) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeLessThanOrEqual(lineCount);
        }
        // An agent is produced exactly when nothing makes Claude Code skip or misread the file.
        if (r.agent)
          expect(
            r.problems.filter(
              (p) => p.severity === 'error' && p.code !== 'unknown-tool' && p.code !== 'unknown-model',
            ),
          ).toEqual([]);
      }),
    );
  });
});
