import type Database from 'better-sqlite3';
import { z } from 'zod';
import { parseWith } from '../domain/index.js';
import { OrchestraError } from '../errors.js';

/** An open better-sqlite3 connection. */
export type Db = Database.Database;

/** What every store of the hub shares: the connection and the injected world. */
export interface StoreContext {
  db: Db;
  /** Wall clock for timestamps and lease expiry. */
  now: () => Date;
  /** Run `fn` in one IMMEDIATE transaction (a savepoint when already inside one). */
  tx: <T>(fn: () => T) => T;
  /** Leases or tasks changed: the lease mirror is rewritten when the outermost transaction ends. */
  touchLeases: () => void;
}

/** A TEXT column holding JSON, parsed and then validated with `schema`. */
export function jsonColumn<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** Parse one row read from SQLite; a row that does not fit its schema is a damaged or foreign db. */
export function readRow<S extends z.ZodType>(schema: S, row: unknown, what: string): z.output<S> {
  const r = parseWith(schema, row);
  if (r.success) return r.value;
  throw new OrchestraError(
    'hub-corrupt-row',
    `a ${what} row in the hub does not match its schema (${r.error}); the hub database may be damaged or written by another version of Orchestra`,
  );
}

/** Parse every row of a query. */
export function readRows<S extends z.ZodType>(schema: S, rows: unknown[], what: string): z.output<S>[] {
  return rows.map((r) => readRow(schema, r, what));
}

/** JSON text for a JSON column, or null. */
export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** Timestamps are stored as ISO-8601 text. */
export const isoTime = z.string().min(1);
