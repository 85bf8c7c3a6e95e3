import { describe, expect, it } from 'vitest';
import { findRaces } from './race-check.js';

const races = (text: string) => findRaces('x.ts', text);

describe('findRaces', () => {
  it("flags the article's applyOperation() on document.operations", () => {
    const hits = races(`
const document = { operations: [] as string[], version: 0 };
declare function transform(op: string, base: string[]): Promise<string>;
export async function applyOperation(op: string) {
  const base = document.operations.slice();
  const transformed = await transform(op, base);
  document.operations.push(transformed);
}
`);
    expect(hits).toEqual([
      {
        functionName: 'applyOperation',
        state: 'document.operations',
        readLine: 5,
        awaitLine: 6,
        writeLine: 7,
        writeColumn: 3,
      },
    ]);
  });

  it('flags a class field and a lost update through assignment', () => {
    const hits = races(`
class Room {
  private ops: string[] = [];
  count = 0;
  async apply(op: string) {
    const n = this.ops.length;
    await save(op, n);
    this.ops = [...this.ops, op];
  }
  bump = async () => {
    this.count = this.count + (await next());
  };
}
`);
    expect(hits.map((h) => [h.functionName, h.state])).toEqual([
      ['Room.apply', 'this.ops'],
      ['bump', 'this.count'],
    ]);
  });

  it('flags a module-level Map read with get and written with set across an await', () => {
    const hits = races(`
const sessions = new Map<string, number>();
export const touch = async (id: string) => {
  const seen = sessions.get(id) ?? 0;
  await fetchSomething();
  sessions.set(id, seen + 1);
};
`);
    expect(hits.map((h) => [h.functionName, h.state, h.readLine, h.awaitLine, h.writeLine])).toEqual([
      ['touch', 'sessions', 4, 5, 6],
    ]);
  });

  it('does not flag the safe versions', () => {
    const hits = races(`
const document = { operations: [] as string[] };
let tail: Promise<void> = Promise.resolve();
let counter = 0;
const lock = { acquire: async () => () => {} };
// no await between the read and the write
export async function applyNow(op: string) {
  const t = await transform(op);
  const base = document.operations.slice();
  document.operations.push(merge(base, t));
}
// the work is queued
export function applyOperation(op: string) {
  tail = tail.then(async () => {
    const base = document.operations.slice();
    document.operations.push(await transform2(op, base));
  });
  return tail;
}
// a lock held from the read to the write
export async function locked(op: string) {
  const release = await lock.acquire();
  const base = document.operations.length;
  await transform(op);
  document.operations.push(String(base));
  release();
}
// local state shadows module state
export async function local(counter: number) {
  const x = counter;
  await transform('a');
  counter = x + 1;
}
// a module constant holding a primitive is not mutable state
const LIMIT = 3;
export async function reads() {
  const n = LIMIT;
  await transform('b');
  return n;
}
`);
    expect(hits).toEqual([]);
  });
});
