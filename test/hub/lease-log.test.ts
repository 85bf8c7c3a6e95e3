import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/hub/index.js';
import { replayLeases } from './lease-log.js';

const ev = (
  id: number,
  taskId: string,
  type: 'lease.acquired' | 'lease.released',
  patterns: string[],
): StoredEvent => ({
  id,
  v: 1,
  runId: 'r',
  taskId,
  at: 'now',
  type,
  patterns,
});

describe('replayLeases (the race checker)', () => {
  it('finds two overlapping holders', () => {
    const r = replayLeases([
      ev(1, 'a', 'lease.acquired', ['src/**']),
      ev(2, 'b', 'lease.acquired', ['src/api/*.ts']),
    ]);
    expect(r.violation).toMatchObject({ eventId: 2, taskId: 'b', otherTask: 'a', otherPattern: 'src/**' });
  });

  it('accepts overlapping leases held one after the other, and counts concurrent holders', () => {
    const r = replayLeases([
      ev(1, 'a', 'lease.acquired', ['src/**']),
      ev(2, 'c', 'lease.acquired', ['docs/**']),
      ev(3, 'a', 'lease.released', ['src/**']),
      ev(4, 'b', 'lease.acquired', ['src/api/*.ts']),
    ]);
    expect(r).toEqual({ violation: null, maxHolders: 2 });
  });
});
