import { z } from 'zod';
import {
  EVENT_SCHEMA_VERSION,
  type EventType,
  eventSchema,
  type OrchestraEvent,
  parseWith,
} from '../domain/index.js';
import { OrchestraError } from '../errors.js';
import { jsonColumn, readRows, type StoreContext } from './sql.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event to append: the envelope's version is filled in, and `at` defaults to now. */
export type EventInput = DistributiveOmit<z.input<typeof eventSchema>, 'v' | 'at'> & { at?: string };

/** An event read back from the log, with its position (ids grow monotonically). */
export type StoredEvent = OrchestraEvent & { id: number };

/** Which events to read. */
export interface EventFilter {
  runId?: string;
  taskId?: string;
  type?: EventType | readonly EventType[];
  /** Only events after this id (for tailing the log). */
  afterId?: number;
  limit?: number;
}

const rowSchema = z.object({ id: z.number().int(), body: jsonColumn(eventSchema) });

/** The append-only event log of every run (a trigger refuses updates). */
export function createEventStore(ctx: StoreContext) {
  const { db } = ctx;
  const insert = db.prepare('INSERT INTO events (run_id, task_id, type, at, body) VALUES (?, ?, ?, ?, ?)');
  return {
    /** Validate and append one event; returns it with its id. */
    append(input: EventInput): StoredEvent {
      const parsed = parseWith(eventSchema, {
        at: ctx.now().toISOString(),
        ...input,
        v: EVENT_SCHEMA_VERSION,
      });
      if (!parsed.success)
        throw new OrchestraError('invalid-event', `refusing to log an invalid event: ${parsed.error}`);
      const e = parsed.value;
      const r = insert.run(e.runId, e.taskId, e.type, e.at, JSON.stringify(e));
      return { ...e, id: Number(r.lastInsertRowid) };
    },
    /** Events in log order, filtered by run, task, type and position. */
    list(filter: EventFilter = {}): StoredEvent[] {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, value: unknown) => {
        where.push(clause);
        params.push(value);
      };
      if (filter.runId !== undefined) add('run_id = ?', filter.runId);
      if (filter.taskId !== undefined) add('task_id = ?', filter.taskId);
      if (filter.afterId !== undefined) add('id > ?', filter.afterId);
      if (filter.type !== undefined) {
        const types: readonly string[] = typeof filter.type === 'string' ? [filter.type] : filter.type;
        where.push(`type IN (${types.map(() => '?').join(', ') || 'NULL'})`);
        params.push(...types);
      }
      const sql = `SELECT id, body FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id${
        filter.limit === undefined ? '' : ' LIMIT ?'
      }`;
      if (filter.limit !== undefined) params.push(filter.limit);
      return readRows(rowSchema, db.prepare(sql).all(...params), 'event').map((r) => ({
        ...r.body,
        id: r.id,
      }));
    },
  };
}

/** The event-log API of the hub. */
export type EventStore = ReturnType<typeof createEventStore>;
