import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertSafeId,
  legacyRunDir,
  newRunId,
  taskBranch,
  taskWorktreePath,
  unsafeIdReason,
} from './worktree-ids.js';

const refOk = (ref: string) => {
  try {
    execFileSync('git', ['check-ref-format', ref], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

describe('worktree ids', () => {
  it('every id it accepts makes a valid branch name and a single path segment', () => {
    const chars = fc.oneof(
      { arbitrary: fc.constantFrom(...'aZ09._-'.split('')), weight: 9 },
      { arbitrary: fc.constantFrom(...'/ @{~^:?*[\\'.split('')), weight: 1 },
    );
    let accepted = 0;
    fc.assert(
      fc.property(fc.string({ unit: chars, minLength: 1, maxLength: 12 }), (id) => {
        if (unsafeIdReason(id) !== undefined) return;
        accepted++;
        expect(refOk(`refs/heads/${taskBranch(id, id)}`)).toBe(true);
        expect(taskWorktreePath(`/s/${id}`, id)).toBe(`/s/${id}/${id}`);
        expect(legacyRunDir('/r', id)).toBe(`/r/.orchestra/worktrees/${id}`);
      }),
      { numRuns: 150 },
    );
    expect(accepted).toBeGreaterThan(20);
  });

  it('refuses what git or the file system would trip on', () => {
    for (const bad of [
      '',
      '.',
      '..',
      'a..b',
      'a.lock',
      'A.LOCK',
      'a.',
      '-a',
      '_a',
      'a/b',
      'a b',
      'a:b',
      'x'.repeat(101),
    ])
      expect(unsafeIdReason(bad), bad).toBeDefined();
    for (const good of ['a', 'T1', 'task-1.2_b', 'x'.repeat(100)])
      expect(unsafeIdReason(good), good).toBeUndefined();
    expect(() => assertSafeId('task', 'a/b')).toThrow(/invalid task id "a\/b"/);
  });

  it('makes sortable run ids from the clock', () => {
    const id = newRunId({ now: () => new Date('2026-11-25T04:22:06.123Z'), randomHex: () => 'abc123' });
    expect(id).toBe('20261125-042206-abc123');
    expect(unsafeIdReason(id)).toBeUndefined();
  });
});
