import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decideToolUse,
  decideWrite,
  type OwnershipPolicy,
  resolveTarget,
  targetPathOf,
} from './ownership.js';

let root: string;
let wt: string;
let outside: string;
let policy: OwnershipPolicy;

beforeAll(() => {
  root = realpathSync(mkdtempSync(path.join(tmpdir(), 'orchestra-own-')));
  wt = path.join(root, 'wt');
  outside = path.join(root, 'outside');
  mkdirSync(path.join(wt, 'src/api/deep'), { recursive: true });
  mkdirSync(path.join(wt, 'src/apix'), { recursive: true });
  mkdirSync(path.join(wt, 'src/web'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(wt, 'src/api/existing.ts'), 'x');
  writeFileSync(path.join(outside, 'secret.txt'), 's');
  symlinkSync(outside, path.join(wt, 'src/api/out-link')); // a symlinked directory leading outside
  symlinkSync(path.join(wt, 'src/web'), path.join(wt, 'src/api/web-link')); // inside, but not owned
  symlinkSync(path.join(outside, 'secret.txt'), path.join(wt, 'src/api/file-link.ts')); // a symlinked file
  symlinkSync(path.join(wt, 'src/api'), path.join(root, 'api-alias')); // outside path pointing in
  symlinkSync(path.join(root, 'nowhere'), path.join(wt, 'src/api/dangling.ts'));
  policy = {
    worktree: wt,
    owns: ['src/api/**', 'README.md'],
    taskId: 'T1',
    ownerOf: (p) => (p.startsWith('src/web/') || p.startsWith('src/apix/') ? 'T2' : undefined),
  };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const allowed = (p: string, cwd?: string) => decideWrite(policy, p, cwd).behavior === 'allow';

describe('decideWrite', () => {
  it('allows owned paths: relative, absolute, new nested directories, existing files', () => {
    expect(decideWrite(policy, 'src/api/new.ts')).toEqual({ behavior: 'allow', path: 'src/api/new.ts' });
    expect(allowed(path.join(wt, 'src/api/existing.ts'))).toBe(true);
    expect(allowed('src/api/a/b/c/new.ts')).toBe(true);
    expect(allowed('./README.md')).toBe(true);
    expect(allowed('src/api/deep/../new.ts')).toBe(true);
    expect(allowed('deep/x.ts', path.join(wt, 'src/api'))).toBe(true);
  });

  it('denies a plain relative path outside ownership and names the owner and how to ask', () => {
    const d = decideWrite(policy, 'src/web/page.ts');
    expect(d.behavior).toBe('deny');
    if (d.behavior !== 'deny') return;
    expect(d.path).toBe('src/web/page.ts');
    expect(d.reason).toMatch(/owned by task T2/);
    expect(d.reason).toMatch(/task T1/);
    expect(d.reason).toMatch(/hub/);
    expect(decideWrite(policy, 'other/x.ts')).toMatchObject({ reason: expect.stringMatching(/No task/) });
  });

  it('denies ../ escapes, absolute paths outside, and the worktree root itself', () => {
    expect(allowed('../outside/x.txt')).toBe(false);
    expect(allowed('src/api/../../../outside/x.txt')).toBe(false);
    expect(allowed(path.join(outside, 'x.txt'))).toBe(false);
    expect(allowed('/etc/passwd')).toBe(false);
    expect(allowed(wt)).toBe(false);
    expect(decideWrite(policy, '../outside/x.txt')).toMatchObject({
      reason: expect.stringMatching(/outside/),
    });
  });

  it('denies prefix siblings: src/apix is not src/api', () => {
    expect(allowed('src/apix/a.ts')).toBe(false);
    expect(allowed('src/api')).toBe(false);
    expect(decideWrite(policy, 'src/apix/a.ts')).toMatchObject({ reason: expect.stringMatching(/T2/) });
  });

  it('follows symlinks: a symlinked parent directory, a symlinked file, a link to an unowned dir', () => {
    expect(allowed('src/api/out-link/new.txt')).toBe(false);
    expect(allowed('src/api/out-link/secret.txt')).toBe(false);
    expect(allowed('src/api/file-link.ts')).toBe(false);
    expect(allowed('src/api/web-link/page.ts')).toBe(false);
    expect(decideWrite(policy, 'src/api/web-link/page.ts')).toMatchObject({ path: 'src/web/page.ts' });
    expect(allowed('src/api/dangling.ts')).toBe(false);
  });

  it('reads link/.. the way the kernel does as well as lexically, and denies if either is outside', () => {
    // Lexically src/api/new.ts; through the kernel, <outside>/../new.ts = <root>/new.ts.
    expect(allowed('src/api/out-link/../new.ts')).toBe(false);
    expect(resolveTarget(wt, 'src/api/out-link/../new.ts').real).toBe(path.join(root, 'new.ts'));
  });

  it('allows an outside alias of the worktree when it resolves to an owned path', () => {
    expect(allowed(path.join(root, 'api-alias', 'new.ts'))).toBe(true);
  });

  it('never lets a task write git data, even when it owns everything', () => {
    expect(decideWrite({ ...policy, owns: ['**'] }, '.git/config').behavior).toBe('deny');
    expect(decideWrite({ ...policy, owns: ['**'] }, '.github/x.yml').behavior).toBe('allow');
  });

  it('fails closed when ownerOf throws or the worktree does not exist', () => {
    const throwing = {
      ...policy,
      ownerOf: () => {
        throw new Error('hub down');
      },
    };
    expect(decideWrite(throwing, 'src/web/x.ts').behavior).toBe('deny');
    expect(decideWrite({ ...policy, worktree: path.join(root, 'missing') }, 'src/api/x.ts').behavior).toBe(
      'deny',
    );
  });

  it('property: a path whose real location is outside the worktree is never allowed', () => {
    const segment = fc.constantFrom(
      '..',
      '.',
      'src',
      'api',
      'src/api/out-link',
      'src/api/web-link',
      'apix',
      'web',
      'out-link',
      'web-link',
      'deep',
      'new.ts',
      'outside',
      'wt',
      'api-alias',
    );
    const arbPath = fc.tuple(fc.constantFrom('', wt, root, '/'), fc.array(segment, { maxLength: 7 }));
    const wtReal = realpathSync(wt);
    fc.assert(
      fc.property(arbPath, ([prefix, segs]) => {
        const p = prefix ? path.join(prefix, ...segs) : segs.join('/') || '.';
        const d = decideWrite({ ...policy, owns: ['**'] }, p);
        if (d.behavior !== 'allow') return true;
        const real = resolveTarget(wt, p).real;
        return real.startsWith(`${wtReal}${path.sep}`);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('decideToolUse', () => {
  it('checks every write tool on its path field, passes other tools, always denies nested agents', () => {
    expect(decideToolUse(policy, 'Write', { file_path: 'src/api/a.ts', content: '' }).behavior).toBe('allow');
    expect(decideToolUse(policy, 'Edit', { file_path: 'src/web/a.ts' }).behavior).toBe('deny');
    expect(decideToolUse(policy, 'MultiEdit', { file_path: '../x' }).behavior).toBe('deny');
    expect(decideToolUse(policy, 'NotebookEdit', { notebook_path: 'src/api/n.ipynb' }).behavior).toBe(
      'allow',
    );
    expect(decideToolUse(policy, 'Write', { content: 'no path' }).behavior).toBe('deny');
    expect(decideToolUse(policy, 'Read', { file_path: '/etc/passwd' }).behavior).toBe('pass');
    expect(decideToolUse(policy, 'Bash', { command: 'ls' }).behavior).toBe('pass');
    expect(decideToolUse(policy, 'Agent', {}).behavior).toBe('deny');
    expect(decideToolUse(policy, 'Task', {}).behavior).toBe('deny');
  });

  it('reads the target from file_path or notebook_path', () => {
    expect(targetPathOf({ file_path: 'a' })).toBe('a');
    expect(targetPathOf({ notebook_path: 'n' })).toBe('n');
    expect(targetPathOf(null)).toBeUndefined();
    expect(targetPathOf({ file_path: '' })).toBeUndefined();
  });
});

describe('decideToolUse with the agent tool set', () => {
  const policy = { worktree: '/w', owns: [], tools: ['Read', 'Grep', 'Glob'] };
  it('refuses a tool outside the set, even a read-only one', () => {
    for (const tool of ['Write', 'Edit', 'Bash', 'WebFetch']) {
      const d = decideToolUse(policy, tool, { file_path: '/w/a.ts', command: 'ls' }, '/w');
      expect(d.behavior, tool).toBe('deny');
      if (d.behavior === 'deny')
        expect(d.reason).toContain("not one of this agent's tools (Read, Grep, Glob)");
    }
  });
  it('lets the set, the structured output and MCP tools through', () => {
    for (const tool of ['Read', 'Grep', 'StructuredOutput', 'mcp__orchestra__read_contract']) {
      expect(decideToolUse(policy, tool, {}, '/w').behavior, tool).toBe('pass');
    }
  });
});
