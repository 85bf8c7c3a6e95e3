import type { Operation } from '../types/operation.js';

/** One operation published on a document's channel. */
export interface Published {
  documentId: string;
  revision: number;
  op: Operation;
}

/** A subscriber's callback. */
export type Listener = (message: Published) => void;

/** The channel of a document: `doc:<id>:ops`, as on Redis. */
export function channelOf(documentId: string): string {
  return `doc:${documentId}:ops`;
}

/**
 * Per-document pub/sub channels: the stand-in for Redis pub/sub. Delivery is synchronous and in
 * publish order, so subscribers see a document's operations in revision order.
 */
export class Broadcaster {
  private readonly channels = new Map<string, Set<Listener>>();
  /** Messages delivered so far (the throughput figure of the performance pass). */
  delivered = 0;

  /** Listen to a document's channel; returns the unsubscribe function. */
  subscribe(documentId: string, listener: Listener): () => void {
    const channel = channelOf(documentId);
    const listeners = this.channels.get(channel) ?? new Set<Listener>();
    listeners.add(listener);
    this.channels.set(channel, listeners);
    return () => {
      listeners.delete(listener);
    };
  }

  /** Publish an applied operation to every subscriber of its document; returns how many got it. */
  publish(documentId: string, revision: number, op: Operation): number {
    const listeners = [...(this.channels.get(channelOf(documentId)) ?? [])];
    for (const listener of listeners) listener({ documentId, revision, op });
    this.delivered += listeners.length;
    return listeners.length;
  }
}
