import { MAX_USERS_PER_DOCUMENT } from '../config.js';
import type { MemoryDocumentStore } from '../db/document-store.js';
import type { Broadcaster } from '../pubsub/broadcaster.js';
import type { ServerMessage } from '../types/messages.js';

/** An edit as the socket delivers it. */
interface Delta {
  kind: 'insert' | 'delete';
  position: number;
  text?: string;
  length?: number;
}

/** The wire format of an edit. */
export interface Operation {
  user_id: number;
  operation: Delta;
}

/** What a client sends: join a document, or edit it. */
type ClientMessage =
  | { kind: 'join'; documentId: string; userId: string }
  | { kind: 'edit'; documentId: string; op: Operation };

/** One client's WebSocket as the hub sees it: an id, and frames out. */
export interface Connection {
  readonly id: string;
  send(frame: string): void;
}

interface Member {
  userId: string;
  unsubscribe: () => void;
}

/**
 * The WebSocket session hub: one room per document. An edit is persisted first (which gives it its
 * revision), then broadcast to the room in revision order, the sender included (its acknowledgement).
 */
export class SessionHub {
  private readonly rooms = new Map<string, Map<string, Member>>();

  constructor(
    private readonly store: MemoryDocumentStore,
    private readonly broadcaster: Broadcaster,
  ) {}

  /** A frame from a client. A malformed frame gets an error frame back, never an exception. */
  receive(connection: Connection, frame: string): void {
    const message = parseFrame(frame);
    if (message === undefined) {
      send(connection, { kind: 'error', message: 'malformed frame' });
    } else if (message.kind === 'join') {
      this.join(connection, message.documentId, message.userId);
    } else if (!this.rooms.get(message.documentId)?.has(connection.id)) {
      send(connection, { kind: 'error', message: `join ${message.documentId} before editing it` });
    } else {
      const row = this.store.append(message.documentId, message.op);
      this.broadcaster.publish(message.documentId, row.revision, message.op);
    }
  }

  /** The connection closed: leave every room. */
  disconnect(connection: Connection): void {
    for (const [documentId, room] of this.rooms) {
      const member = room.get(connection.id);
      if (!member) continue;
      member.unsubscribe();
      room.delete(connection.id);
      this.store.leave(documentId, member.userId);
    }
  }

  private join(connection: Connection, documentId: string, userId: string): void {
    const room = this.rooms.get(documentId) ?? new Map<string, Member>();
    if (room.size >= MAX_USERS_PER_DOCUMENT) {
      send(connection, { kind: 'error', message: `${documentId} is full` });
      return;
    }
    const unsubscribe = this.broadcaster.subscribe(documentId, (p) =>
      send(connection, { kind: 'applied', documentId: p.documentId, revision: p.revision, op: p.op }),
    );
    room.set(connection.id, { userId, unsubscribe });
    this.rooms.set(documentId, room);
    this.store.join(documentId, userId);
    const doc = this.store.load(documentId);
    send(connection, {
      kind: 'snapshot',
      documentId,
      revision: doc.revision,
      content: doc.content,
      users: this.store.users(documentId),
    });
  }
}

function send(connection: Connection, message: ServerMessage): void {
  connection.send(JSON.stringify(message));
}

function parseFrame(frame: string): ClientMessage | undefined {
  try {
    const value = JSON.parse(frame) as Partial<ClientMessage> | null;
    if (value?.kind === 'join' || value?.kind === 'edit') return value as ClientMessage;
  } catch {
    // not JSON
  }
  return undefined;
}
