import { applyTransform, type Operation } from '../types/operation.js';

/** A document row: its text and the revision that text is at. */
export interface DocumentRow {
  id: string;
  content: string;
  revision: number;
}

/** An operation row. The log, ordered by revision, is the source of truth of a document. */
export interface OperationRow extends Operation {
  documentId: string;
  revision: number;
}

/**
 * Documents, their operation log and presence, in memory: the stand-in for the PostgreSQL schema
 * (documents, operations unique per (document, revision), presence), with the same operations.
 */
export class MemoryDocumentStore {
  private readonly documents = new Map<string, DocumentRow>();
  private readonly operations = new Map<string, OperationRow[]>();
  private readonly presence = new Map<string, Set<string>>();

  /** The document, created empty on first use. */
  load(documentId: string): DocumentRow {
    const doc = this.documents.get(documentId) ?? { id: documentId, content: '', revision: 0 };
    this.documents.set(documentId, doc);
    return { ...doc };
  }

  /** Apply one operation and append it to the log; the row carries the new revision. */
  append(documentId: string, op: Operation): OperationRow {
    const doc = this.load(documentId);
    const row: OperationRow = { ...op, documentId, revision: doc.revision + 1 };
    const content = applyTransform(doc.content, op.operation);
    this.documents.set(documentId, { id: documentId, content, revision: row.revision });
    const log = this.operations.get(documentId) ?? [];
    log.push(row);
    this.operations.set(documentId, log);
    return row;
  }

  /** Operations after `revision`, oldest first (what a reconnecting client missed). */
  operationsSince(documentId: string, revision: number): OperationRow[] {
    return (this.operations.get(documentId) ?? []).filter((o) => o.revision > revision);
  }

  /** Record that a user has the document open. */
  join(documentId: string, userId: string): void {
    const users = this.presence.get(documentId) ?? new Set<string>();
    users.add(userId);
    this.presence.set(documentId, users);
  }

  /** Record that a user left the document. */
  leave(documentId: string, userId: string): void {
    this.presence.get(documentId)?.delete(userId);
  }

  /** Users with the document open, in the order they joined. */
  users(documentId: string): string[] {
    return [...(this.presence.get(documentId) ?? [])];
  }
}
