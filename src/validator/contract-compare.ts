import type ts from 'typescript';
import {
  formatMember,
  formatParams,
  isResolved,
  type MemberShape,
  normalizeTypeText,
  type Shape,
} from './contract-shape.js';
import type { ContractDefect } from './types.js';

/** Lower case without `_`, `-` and `$`: `user_id`, `userId` and `UserID` are the same name. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[_\-$]/g, '');
}

/**
 * How alike two property names are, 0..1: 1 for the same normalized name, 0.8 when one is a
 * prefix of the other (`op` / `operation`), else one minus the relative edit distance.
 */
export function nameSimilarity(a: string, b: string): number {
  const x = normalizeName(a);
  const y = normalizeName(b);
  if (x === y) return 1;
  if (Math.min(x.length, y.length) >= 2 && (x.startsWith(y) || y.startsWith(x))) return 0.8;
  const longest = Math.max(x.length, y.length);
  return longest === 0 ? 1 : 1 - editDistance(x, y) / longest;
}

/** Names at least this alike are reported as a rename rather than a missing plus an extra property. */
export const RENAME_THRESHOLD = 0.7;

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * True when two types are the same: equal text once normalized, or, when the checker resolved
 * both, each assignable to the other (`string[]` and `Array<string>`).
 */
export function sameType(
  checker: ts.TypeChecker,
  a: { type: string; tsType?: ts.Type | undefined },
  b: { type: string; tsType?: ts.Type | undefined },
): boolean {
  if (normalizeTypeText(a.type) === normalizeTypeText(b.type)) return true;
  if (!a.tsType || !b.tsType) return false;
  if (!isResolved(checker, a.tsType) || !isResolved(checker, b.tsType)) return false;
  return checker.isTypeAssignableTo(a.tsType, b.tsType) && checker.isTypeAssignableTo(b.tsType, a.tsType);
}

/** Pair names that are alike enough, best pairs first; each name is used once. */
export function pairRenames(
  missing: readonly string[],
  extra: readonly string[],
): Array<{ expected: string; actual: string }> {
  const candidates = missing
    .flatMap((m) => extra.map((e) => ({ expected: m, actual: e, score: nameSimilarity(m, e) })))
    .filter((c) => c.score >= RENAME_THRESHOLD)
    .sort((p, q) => q.score - p.score);
  const used = new Set<string>();
  const out: Array<{ expected: string; actual: string }> = [];
  for (const c of candidates) {
    if (used.has(`m:${c.expected}`) || used.has(`e:${c.actual}`)) continue;
    used.add(`m:${c.expected}`);
    used.add(`e:${c.actual}`);
    out.push({ expected: c.expected, actual: c.actual });
  }
  return out;
}

/** Every difference between the canonical shape and an implementation's shape. */
export function compareShapes(checker: ts.TypeChecker, expected: Shape, actual: Shape): ContractDefect[] {
  if (expected.kind !== actual.kind) {
    return [{ kind: 'kind', expected: describeKind(expected), actual: describeKind(actual) }];
  }
  if (expected.kind === 'object' && actual.kind === 'object')
    return compareMembers(checker, expected.members, actual.members);
  if (expected.kind === 'function' && actual.kind === 'function') {
    const defects: ContractDefect[] = [];
    const e = expected.params;
    const a = actual.params;
    const paramsDiffer =
      e.length !== a.length ||
      e.some((p, i) => {
        const q = a[i];
        return !q || p.optional !== q.optional || p.rest !== q.rest || !sameType(checker, p, q);
      });
    if (paramsDiffer)
      defects.push({ kind: 'parameters', expected: formatParams(e), actual: formatParams(a) });
    const sameReturn = sameType(
      checker,
      { type: expected.returns, tsType: expected.returnType },
      { type: actual.returns, tsType: actual.returnType },
    );
    if (!sameReturn)
      defects.push({ kind: 'return-type', expected: expected.returns, actual: actual.returns });
    return defects;
  }
  if (expected.kind === 'other' && actual.kind === 'other') {
    const same = sameType(
      checker,
      { type: expected.text, tsType: expected.tsType },
      { type: actual.text, tsType: actual.tsType },
    );
    return same ? [] : [{ kind: 'property-type', expected: expected.text, actual: actual.text }];
  }
  return [];
}

/** Differences between two property lists. */
export function compareMembers(
  checker: ts.TypeChecker,
  expected: readonly MemberShape[],
  actual: readonly MemberShape[],
): ContractDefect[] {
  const defects: ContractDefect[] = [];
  const byName = new Map(actual.map((m) => [m.name, m]));
  const expectedNames = new Set(expected.map((m) => m.name));
  const compareTypes = (e: MemberShape, a: MemberShape): void => {
    if (!sameType(checker, e, a)) {
      defects.push({
        kind: 'property-type',
        member: e.name,
        expected: formatMember(e),
        actual: formatMember(a),
      });
    }
    if (e.optional !== a.optional) {
      defects.push({
        kind: 'optionality',
        member: e.name,
        expected: e.optional ? `${e.name} optional` : `${e.name} required`,
        actual: a.optional ? `${a.name} optional` : `${a.name} required`,
      });
    }
  };
  for (const e of expected) {
    const a = byName.get(e.name);
    if (a) compareTypes(e, a);
  }
  const missing = expected.filter((m) => !byName.has(m.name)).map((m) => m.name);
  const extra = actual.filter((m) => !expectedNames.has(m.name)).map((m) => m.name);
  const renames = pairRenames(missing, extra);
  for (const r of renames) {
    const e = expected.find((m) => m.name === r.expected) as MemberShape;
    const a = byName.get(r.actual) as MemberShape;
    defects.push({
      kind: 'renamed-property',
      member: e.name,
      expected: formatMember(e),
      actual: formatMember(a),
    });
    compareTypes(e, a);
  }
  for (const name of missing) {
    if (renames.some((r) => r.expected === name)) continue;
    const e = expected.find((m) => m.name === name) as MemberShape;
    defects.push({ kind: 'missing-property', member: name, expected: formatMember(e), actual: '(absent)' });
  }
  for (const name of extra) {
    if (renames.some((r) => r.actual === name)) continue;
    const a = byName.get(name) as MemberShape;
    defects.push({ kind: 'extra-property', member: name, expected: '(absent)', actual: formatMember(a) });
  }
  return defects;
}

function describeKind(shape: Shape): string {
  return shape.kind === 'object' ? 'an object type' : shape.kind === 'function' ? 'a function' : shape.text;
}

/** One readable line per defect, for reports and fix tasks. */
export function describeDefect(d: ContractDefect): string {
  switch (d.kind) {
    case 'missing-export':
      return `${d.expected} is not exported (${d.actual})`;
    case 'missing-property':
      return `property \`${d.member}\` is missing: expected \`${d.expected}\``;
    case 'extra-property':
      return `property \`${d.actual}\` is not in the contract`;
    case 'property-type':
      return d.member
        ? `\`${d.actual}\`, expected \`${d.expected}\``
        : `type is \`${d.actual}\`, expected \`${d.expected}\``;
    case 'optionality':
      return `${d.actual}, expected ${d.expected}`;
    case 'renamed-property':
      return `\`${d.actual}\` should be \`${d.expected}\` (renamed property)`;
    case 'parameters':
      return `parameters are \`${d.actual}\`, expected \`${d.expected}\``;
    case 'return-type':
      return `returns \`${d.actual}\`, expected \`${d.expected}\``;
    case 'kind':
      return `is ${d.actual}, expected ${d.expected}`;
  }
}
