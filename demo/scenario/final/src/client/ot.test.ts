import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyTransform, type Transform } from '../types/operation.js';
import { transform } from './ot.js';

const text = 'collaborative';
const edits: Transform[] = [
  { kind: 'insert', position: 0, text: '>' },
  { kind: 'insert', position: 4, text: 'XY' },
  { kind: 'insert', position: 13, text: '!' },
  { kind: 'delete', position: 2, length: 3 },
  { kind: 'delete', position: 4, length: 5 },
  { kind: 'delete', position: 0, length: 13 },
];

test('two concurrent edits converge in either order', () => {
  for (const a of edits) {
    for (const b of edits) {
      const ab = applyTransform(applyTransform(text, a), transform(b, a, 'right'));
      const ba = applyTransform(applyTransform(text, b), transform(a, b, 'left'));
      assert.equal(ab, ba, `${JSON.stringify(a)} with ${JSON.stringify(b)}`);
    }
  }
});

test('an insert before another moves it right', () => {
  const moved = transform(
    { kind: 'insert', position: 5, text: 'b' },
    { kind: 'insert', position: 1, text: 'aa' },
    'left',
  );
  assert.deepEqual(moved, { kind: 'insert', position: 7, text: 'b' });
});
