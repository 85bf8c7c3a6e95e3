import type { PlanInput } from '../domain/index.js';

/** The request the demo plays: the article's real-time collaboration example, sized to run offline. */
export const DEMO_REQUEST = [
  'Real-time collaborative editing: a WebSocket session hub with one room per document, operational',
  'transformation in the editor client, documents with their operation log and presence, pub/sub',
  'broadcasting of operations, and integration tests where two users converge. In-memory stand-ins',
  'for PostgreSQL and Redis so it runs offline; no socket.io; sub-100ms latency.',
].join(' ');

/** The contract the article's day-2 bug broke: `{userId: string, operation: Transform}`. */
export const OPERATION_CONTRACT = `export interface Operation {
  userId: string;
  operation: Transform;
}
export type Transform =
  | { kind: 'insert'; position: number; text: string }
  | { kind: 'delete'; position: number; length: number };`;

const TEST_COMMAND = 'node scripts/test.mjs';

/**
 * The orchestrator's scripted answer: six specialists in three tracks (foundation, backend,
 * frontend) and the integration tests, with the `operation` contract fixed before anyone codes.
 */
export function demoPlan(): PlanInput {
  return {
    version: 1,
    goal: 'Real-time collaborative editing: session hub, OT client, persistence, pub/sub, integration tests',
    architecture: {
      decisions: [
        {
          id: 'wire-format',
          decision:
            'An edit travels as the Operation contract { userId: string; operation: Transform } between client, server, store and broadcaster',
          rationale: 'One shape fixed up front: the article lost day 2 to user_id:number vs userId:string',
        },
        {
          id: 'stand-ins',
          decision:
            'PostgreSQL and Redis are stood in for by in-memory modules with the same roles (src/db, src/pubsub)',
          rationale: 'The skeleton runs offline with nothing to install',
        },
        {
          id: 'server-order',
          decision:
            'The server orders each document by revision; editors apply local edits at once and transform remote ones over their pending edits',
        },
      ],
      constraints: ['Sub-100ms latency', 'No dependency to install: Node 20 and typescript only'],
      excludedDependencies: ['socket.io'],
    },
    contracts: [
      {
        id: 'operation',
        kind: 'typescript',
        owner: 'types',
        description: 'One edit as it travels between client, server, store and broadcaster',
        definition: OPERATION_CONTRACT,
      },
    ],
    tasks: [
      {
        id: 'types',
        title: 'Message types and the Operation contract',
        agent: 'types-specialist',
        instructions:
          'Write src/types/operation.ts with Transform and Operation exactly as the contract says, plus applyTransform(content, t); and src/types/messages.ts with ClientMessage (join, edit) and ServerMessage (snapshot, applied, error).',
        owns: ['src/types/**'],
        provides: ['operation'],
        successCriteria: [{ description: 'the contract is exported exactly as declared' }],
        estimatedContextTokens: 3000,
      },
      {
        id: 'database',
        title: 'Schema for documents, operations and presence (in memory)',
        agent: 'database-specialist',
        instructions:
          'Write src/db/document-store.ts: MemoryDocumentStore with load, append (applies the operation and logs it with the next revision), operationsSince, and presence (join, leave, users).',
        owns: ['src/db/**'],
        reads: ['src/types/**'],
        dependsOn: ['types'],
        consumes: ['operation'],
        estimatedContextTokens: 4000,
      },
      {
        id: 'pubsub',
        title: 'Pub/sub channels for operation broadcasting',
        agent: 'performance-specialist',
        instructions:
          'Write src/pubsub/broadcaster.ts: a Broadcaster with one channel per document (doc:<id>:ops), subscribe returning an unsubscribe function, publish(documentId, revision, op) delivering in publish order.',
        owns: ['src/pubsub/**'],
        reads: ['src/types/**'],
        dependsOn: ['types'],
        consumes: ['operation'],
        estimatedContextTokens: 3500,
      },
      {
        id: 'client',
        title: 'Editor state with the operational transformation engine',
        agent: 'frontend-specialist',
        instructions:
          'Write src/client/ot.ts (transform(a, b, side) for insert/delete so concurrent edits converge) with its tests, and src/client/editor-state.ts: optimistic local edits, acknowledgements, remote edits transformed over pending ones.',
        owns: ['src/client/**'],
        reads: ['src/types/**'],
        dependsOn: ['types'],
        consumes: ['operation'],
        successCriteria: [{ description: 'OT convergence tests pass', command: TEST_COMMAND }],
        estimatedContextTokens: 5000,
      },
      {
        id: 'server',
        title: 'WebSocket session hub with one room per document',
        agent: 'backend-specialist',
        instructions:
          'Write src/server/session-hub.ts: SessionHub(store, broadcaster) receiving JSON frames from connections: join (room, presence, snapshot), edit (persist, then publish to the room), disconnect; malformed frames get an error frame.',
        owns: ['src/server/**'],
        reads: ['src/types/**', 'src/db/**', 'src/pubsub/**', 'src/config.ts'],
        dependsOn: ['types', 'database', 'pubsub'],
        consumes: ['operation'],
        estimatedContextTokens: 5000,
      },
      {
        id: 'integration-tests',
        title: 'Integration tests: two users editing one document converge',
        agent: 'test-specialist',
        instructions:
          'Write test/collaboration.test.ts: editors connected to the session hub through JSON frames converge, every operation is persisted in revision order with its author, late joiners get a snapshot, bad frames get error frames, disconnects leave presence.',
        owns: ['test/**'],
        reads: ['src/**'],
        dependsOn: ['server', 'client'],
        consumes: ['operation'],
        successCriteria: [{ description: 'integration tests pass', command: TEST_COMMAND }],
        estimatedContextTokens: 4500,
      },
    ],
  };
}
