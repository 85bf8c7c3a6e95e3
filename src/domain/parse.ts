import type { z } from 'zod';

/** The outcome of parsing at a boundary: never a throw, never an unchecked cast. */
export type Parsed<T> = { success: true; value: T } | { success: false; error: string; issues: ParseIssue[] };

/** One problem found while parsing, with the path inside the document. */
export interface ParseIssue {
  path: string;
  message: string;
}

/** Parse `data` with `schema` into a `Parsed` value with readable issues. */
export function parseWith<S extends z.ZodType>(schema: S, data: unknown): Parsed<z.output<S>> {
  const r = schema.safeParse(data);
  if (r.success) return { success: true, value: r.data };
  const issues = r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  return {
    success: false,
    error: issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '),
    issues,
  };
}

/** JSON.parse that returns a `Parsed` instead of throwing. */
export function parseJson(text: string): Parsed<unknown> {
  try {
    return { success: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { success: false, error: message, issues: [{ path: '', message }] };
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}
