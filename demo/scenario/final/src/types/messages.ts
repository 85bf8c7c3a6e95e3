import type { Operation } from './operation.js';

/** What a client sends over its socket. */
export type ClientMessage =
  | { kind: 'join'; documentId: string; userId: string }
  | { kind: 'edit'; documentId: string; op: Operation };

/** What the server sends to a client. */
export type ServerMessage =
  | { kind: 'snapshot'; documentId: string; revision: number; content: string; users: string[] }
  | { kind: 'applied'; documentId: string; revision: number; op: Operation }
  | { kind: 'error'; message: string };
