import type { Transform } from '../types/operation.js';

/**
 * Operational transformation: rewrite `a` so it applies after `b`, both made on the same text.
 * Both orders then give the same document. `side` breaks the tie of two inserts at one position
 * ('right': `a` goes after `b`). An insert inside a range another user deleted is dropped with it.
 */
export function transform(a: Transform, b: Transform, side: 'left' | 'right'): Transform {
  if (b.kind === 'insert') {
    const shift = b.text.length;
    if (a.kind === 'insert') {
      const after = b.position < a.position || (b.position === a.position && side === 'right');
      return after ? { ...a, position: a.position + shift } : a;
    }
    if (b.position <= a.position) return { ...a, position: a.position + shift };
    if (b.position >= a.position + a.length) return a;
    return { ...a, length: a.length + shift }; // the insert fell inside the range: delete it too
  }
  const bEnd = b.position + b.length;
  if (a.kind === 'insert') {
    if (a.position <= b.position) return a;
    if (a.position >= bEnd) return { ...a, position: a.position - b.length };
    return { ...a, position: b.position, text: '' }; // inside the deleted range: dropped
  }
  const aEnd = a.position + a.length;
  const overlap = Math.max(0, Math.min(aEnd, bEnd) - Math.max(a.position, b.position));
  const position = a.position <= b.position ? a.position : Math.max(b.position, a.position - b.length);
  return { kind: 'delete', position, length: a.length - overlap };
}
