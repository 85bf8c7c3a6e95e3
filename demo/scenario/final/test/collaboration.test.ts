import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EditorState } from '../src/client/editor-state.js';
import { MemoryDocumentStore } from '../src/db/document-store.js';
import { Broadcaster } from '../src/pubsub/broadcaster.js';
import { type Connection, SessionHub } from '../src/server/session-hub.js';
import type { ServerMessage } from '../src/types/messages.js';

// The whole system in one process: editors talk to the session hub through JSON frames, as over a
// WebSocket; the hub persists each edit, then broadcasts it to the document's room.

function system() {
  const store = new MemoryDocumentStore();
  const broadcaster = new Broadcaster();
  const hub = new SessionHub(store, broadcaster);
  let next = 0;
  const open = (userId: string, documentId = 'doc-1') => {
    const frames: ServerMessage[] = [];
    const connection: Connection = {
      id: `c${++next}`,
      send: (frame) => {
        const message = JSON.parse(frame) as ServerMessage;
        frames.push(message);
        editor.receive(message);
      },
    };
    const editor: EditorState = new EditorState(userId, documentId, (m) =>
      hub.receive(connection, JSON.stringify(m)),
    );
    editor.join();
    return { editor, connection, frames };
  };
  return { store, broadcaster, hub, open };
}

test('two users editing one document converge', () => {
  const s = system();
  const alice = s.open('alice');
  const bob = s.open('bob');
  alice.editor.edit({ kind: 'insert', position: 0, text: 'Hello' });
  bob.editor.edit({ kind: 'insert', position: 5, text: ' world' });
  alice.editor.edit({ kind: 'delete', position: 0, length: 1 });
  alice.editor.edit({ kind: 'insert', position: 0, text: 'h' });
  assert.equal(alice.editor.content, 'hello world');
  assert.equal(bob.editor.content, 'hello world');
  assert.equal(s.store.load('doc-1').content, 'hello world');
  assert.equal(alice.editor.revision, 4);
  assert.equal(alice.editor.unacknowledged, 0);
});

test('every operation is persisted in revision order with its author', () => {
  const s = system();
  const alice = s.open('alice');
  const bob = s.open('bob');
  alice.editor.edit({ kind: 'insert', position: 0, text: 'ab' });
  bob.editor.edit({ kind: 'insert', position: 2, text: 'c' });
  const log = s.store.operationsSince('doc-1', 0);
  assert.deepEqual(
    log.map((o) => [o.revision, o.userId]),
    [
      [1, 'alice'],
      [2, 'bob'],
    ],
  );
  assert.deepEqual(
    s.store.operationsSince('doc-1', 1).map((o) => o.operation),
    [{ kind: 'insert', position: 2, text: 'c' }],
  );
});

test('a late joiner gets a snapshot of the text and who is there', () => {
  const s = system();
  const alice = s.open('alice');
  alice.editor.edit({ kind: 'insert', position: 0, text: 'draft' });
  const carol = s.open('carol');
  assert.equal(carol.editor.content, 'draft');
  assert.equal(carol.editor.revision, 1);
  assert.deepEqual(carol.editor.users, ['alice', 'carol']);
});

test('a malformed frame or an edit before joining gets an error frame', () => {
  const s = system();
  const frames: string[] = [];
  const stranger: Connection = { id: 'x', send: (f) => frames.push(f) };
  s.hub.receive(stranger, 'not json');
  s.hub.receive(
    stranger,
    JSON.stringify({
      kind: 'edit',
      documentId: 'doc-1',
      op: { userId: 'x', operation: { kind: 'delete', position: 0, length: 1 } },
    }),
  );
  assert.deepEqual(
    frames.map((f) => (JSON.parse(f) as ServerMessage).kind),
    ['error', 'error'],
  );
  assert.equal(s.store.load('doc-1').revision, 0);
});

test('a user who disconnects stops receiving edits and leaves presence', () => {
  const s = system();
  const alice = s.open('alice');
  const bob = s.open('bob');
  s.hub.disconnect(bob.connection);
  const before = bob.frames.length;
  alice.editor.edit({ kind: 'insert', position: 0, text: 'x' });
  assert.equal(bob.frames.length, before);
  assert.deepEqual(s.store.users('doc-1'), ['alice']);
});
