import type { ClientMessage, ServerMessage } from '../types/messages.js';
import { applyTransform, type Operation, type Transform } from '../types/operation.js';
import { transform } from './ot.js';

/**
 * The editor's state of one document: local edits show at once (optimistic UI) and wait for the
 * server's acknowledgement; remote edits are transformed over the pending ones before they apply.
 */
export class EditorState {
  content = '';
  revision = 0;
  users: string[] = [];
  private pending: Transform[] = [];

  constructor(
    readonly userId: string,
    readonly documentId: string,
    private readonly send: (message: ClientMessage) => void,
  ) {}

  /** Open the document; the server answers with a snapshot. */
  join(): void {
    this.send({ kind: 'join', documentId: this.documentId, userId: this.userId });
  }

  /** Apply a local edit now and send it. */
  edit(t: Transform): void {
    this.content = applyTransform(this.content, t);
    this.pending.push(t);
    const op: Operation = { userId: this.userId, operation: t };
    this.send({ kind: 'edit', documentId: this.documentId, op });
  }

  /** Edits sent but not yet acknowledged. */
  get unacknowledged(): number {
    return this.pending.length;
  }

  /** Apply a message from the server. */
  receive(message: ServerMessage): void {
    if (message.kind === 'error') return;
    if (message.documentId !== this.documentId) return;
    if (message.kind === 'snapshot') {
      this.content = message.content;
      this.revision = message.revision;
      this.users = message.users;
      this.pending = [];
      return;
    }
    this.revision = message.revision;
    if (message.op.userId === this.userId) {
      this.pending.shift(); // our own edit, acknowledged in server order
      return;
    }
    let remote = message.op.operation;
    this.pending = this.pending.map((mine) => {
      const rebased = transform(mine, remote, 'right');
      remote = transform(remote, mine, 'left');
      return rebased;
    });
    this.content = applyTransform(this.content, remote);
  }
}
