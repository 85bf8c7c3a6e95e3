import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { isOrchestraError } from '../errors.js';
import {
  CONFIG_TEMPLATE,
  DEFAULT_CONFIG,
  findRepoRoot,
  loadConfig,
  parseConfigText,
  stripJsonComments,
} from './index.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'orchestra-config-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function errorOf(fn: () => unknown): Error & { code?: string; exitCode?: number } {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('defaults', () => {
  it('has the documented values', () => {
    expect(DEFAULT_CONFIG).toMatchObject({
      maxParallel: 4,
      contextBudget: 60_000,
      lifecycle: {
        continueBelow: 0.7,
        terminateAt: 0.85,
        maxConsecutiveFailures: 3,
        loopRepeat: 3,
        maxAttempts: 3,
      },
      excludedDependencies: [],
      planRepairRounds: 2,
      fixRounds: 3,
      executor: { settingSources: [] },
    });
    expect(DEFAULT_CONFIG.lifecycle.hungAfterMs).toBeGreaterThan(0);
  });

  it('fills nested defaults when only part of a section is given', () => {
    const c = parseConfigText('{"lifecycle": {"terminateAt": 0.9}, "executor": {"maxTurns": 7}}', 'x.json');
    expect(c.lifecycle).toEqual({ ...DEFAULT_CONFIG.lifecycle, terminateAt: 0.9 });
    expect(c.executor).toEqual({ ...DEFAULT_CONFIG.executor, maxTurns: 7 });
    expect(c.maxParallel).toBe(4);
  });

  it('is frozen so no caller can change the defaults of another', () => {
    expect(() => {
      (DEFAULT_CONFIG.excludedDependencies as string[]).push('x');
    }).toThrow();
  });

  it('the template parses back to exactly the defaults', () => {
    expect(parseConfigText(CONFIG_TEMPLATE, 'orchestra.config.json')).toEqual(DEFAULT_CONFIG);
  });
});

describe('comments', () => {
  it('strips line and block comments and trailing commas, but not inside strings', () => {
    const text = `{
      // a comment with "quotes" and a , comma
      "model": "claude-x // not a comment", /* block
      comment */ "excludedDependencies": ["a/*b*/", "c\\"//d",],
    }`;
    const c = parseConfigText(text, 'c.json');
    expect(c.model).toBe('claude-x // not a comment');
    expect(c.excludedDependencies).toEqual(['a/*b*/', 'c"//d']);
  });

  it('keeps positions: the stripped text has the same length and newlines', () => {
    const text = '{\n  // x\n  "a": 1, /* y\n z */\n}';
    const out = stripJsonComments(text);
    expect(out).toHaveLength(text.length);
    expect(out.split('\n')).toHaveLength(text.split('\n').length);
  });

  it('never changes the meaning of comment-free JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        for (const text of [JSON.stringify(value), JSON.stringify(value, null, 2)]) {
          expect(JSON.parse(stripJsonComments(text))).toEqual(JSON.parse(text));
        }
      }),
    );
  });
});

describe('broken config', () => {
  it('invalid JSON: a UserError naming the file, line and column', () => {
    const e = errorOf(() =>
      parseConfigText('{\n  "model": "x",\n  "maxParallel": 4 4\n}', '/p/orchestra.config.json'),
    );
    expect(isOrchestraError(e)).toBe(true);
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^\/p\/orchestra\.config\.json:3:\d+: invalid JSON/);
  });

  it('wrong values: each named by its path', () => {
    const e = errorOf(() =>
      parseConfigText('{"maxParallel": 0, "lifecycle": {"terminateAt": "high"}, "modle": "x"}', 'c.json'),
    );
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('c.json is not a valid Orchestra configuration');
    expect(e.message).toMatch(/maxParallel: .*>/);
    expect(e.message).toMatch(/lifecycle\.terminateAt: /);
    expect(e.message).toMatch(/modle/);
  });

  it('continueBelow above terminateAt is rejected', () => {
    const e = errorOf(() =>
      parseConfigText('{"lifecycle": {"continueBelow": 0.9, "terminateAt": 0.8}}', 'c.json'),
    );
    expect(e.message).toMatch(/continueBelow must not be greater than terminateAt/);
  });
});

describe('loadConfig', () => {
  it('finds the file at the repository root from a subdirectory', () => {
    const root = tempDir();
    mkdirSync(join(root, '.git'));
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    writeFileSync(join(root, 'orchestra.config.json'), '// mine\n{"maxParallel": 2}\n');
    expect(findRepoRoot(join(root, 'a', 'b'))).toBe(root);
    expect(loadConfig(join(root, 'a', 'b')).maxParallel).toBe(2);
  });

  it('returns the defaults (a fresh copy) when there is no file', () => {
    const root = tempDir();
    mkdirSync(join(root, '.git'));
    const c = loadConfig(root);
    expect(c).toEqual(DEFAULT_CONFIG);
    c.excludedDependencies.push('x');
    expect(DEFAULT_CONFIG.excludedDependencies).toEqual([]);
  });

  it('reports a broken file with its path as a UserError', () => {
    const root = tempDir();
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, 'orchestra.config.json'), '{"maxParallel": }');
    const e = errorOf(() => loadConfig(root));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain(join(root, 'orchestra.config.json'));
  });
});
