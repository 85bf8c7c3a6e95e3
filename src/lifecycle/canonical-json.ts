/**
 * JSON with object keys sorted at every level, so `{a:1,b:2}` and `{b:2,a:1}` give the same text.
 * `undefined` members are dropped as JSON.stringify does; non-JSON values (functions, symbols) too.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value)) ?? 'null';
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : normalize(v)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined && typeof v !== 'function' && typeof v !== 'symbol') out[key] = normalize(v);
    }
    return out;
  }
  return value;
}
