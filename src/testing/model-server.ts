import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseJson, parseWith } from '../domain/index.js';
import { contentText, modelRequestBodySchema, type RecordedRequest } from './model-request.js';
import { assistantMessage, errorJson, messageEvents, messageJson, sseBody } from './model-response.js';
import { type Scenario, turnUsage } from './scenario.js';
import { ScenarioPlayer } from './scenario-player.js';

/** A running scripted model server. */
export interface ModelServer {
  /** Base URL for `ANTHROPIC_BASE_URL`. */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: readonly RecordedRequest[];
  /** Requests the scenario could not answer, one message each. */
  readonly failures: readonly string[];
  /** Resolves with the first request (past or future) `predicate` accepts. */
  waitFor(predicate: (r: RecordedRequest) => boolean): Promise<RecordedRequest>;
  /** Throws if a request went unanswered or a scripted turn was never requested. */
  assertAllConsumed(): void;
  /** Stop the server; then, unless `verify: false`, `assertAllConsumed()`. */
  close(options?: { verify?: boolean }): Promise<void>;
}

/** Settings of `startModelServer` besides the scenario. */
export interface ModelServerOptions {
  /** Port to bind (default 0: a free random port). Always on 127.0.0.1. */
  port?: number;
}

/**
 * Start an Anthropic-compatible Messages API server on 127.0.0.1 that plays `scenario` to the Claude
 * Code binary (streaming SSE and plain JSON; see WIRE.md for what the binary sends).
 */
export async function startModelServer(
  scenario: Scenario,
  options: ModelServerOptions = {},
): Promise<ModelServer> {
  const player = new ScenarioPlayer(scenario);
  const requests: RecordedRequest[] = [];
  const failures: string[] = [];
  const waiters: Array<{
    predicate: (r: RecordedRequest) => boolean;
    resolve: (r: RecordedRequest) => void;
  }> = [];
  const hanging = new Set<ServerResponse>();
  let messageSeq = 0;
  let toolSeq = 0;

  const record = (r: RecordedRequest) => {
    requests.push(r);
    for (const w of [...waiters]) {
      if (w.predicate(r)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(r);
      }
    }
  };

  const sendJson = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const fail = (res: ServerResponse, rec: RecordedRequest, reason: string) => {
    const message = `scripted model server: ${reason} (${rec.method} ${rec.path})`;
    failures.push(message);
    rec.served = { kind: 'unmatched', label: reason };
    // 400 is not retried by Claude Code: the run fails at once with this message.
    sendJson(res, 400, errorJson(400, message));
  };

  const handleMessages = (res: ServerResponse, rec: RecordedRequest, raw: string) => {
    const json = parseJson(raw);
    const body = json.success ? parseWith(modelRequestBodySchema, json.value) : json;
    if (!body.success) return fail(res, rec, `unreadable request body: ${body.error}`);
    const req = body.value;
    const session = rec.headers['x-claude-code-session-id'];
    const decision = player.next(req, typeof session === 'string' ? session : undefined);
    if (decision.kind === 'unmatched') {
      const prompt = contentText(req.messages.at(-1)?.content ?? '').slice(-200);
      return fail(res, rec, `${decision.reason}; last message: ${JSON.stringify(prompt)}`);
    }
    const id = `msg_scripted_${++messageSeq}`;
    let message: ReturnType<typeof assistantMessage>;
    if (decision.kind === 'side') {
      rec.served = { kind: 'side', label: decision.side };
      const text = decision.side === 'title' ? JSON.stringify({ title: 'Scripted session' }) : 'ok';
      message = assistantMessage({
        id,
        model: req.model,
        text,
        usage: { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 },
        toolUseId: () => '',
      });
    } else {
      const { turn } = decision;
      rec.served = {
        kind: turn.kind === 'error' ? 'error' : 'turn',
        block: decision.block,
        turn: decision.index,
        label: decision.replay ? `${turn.kind} (replay)` : turn.kind,
      };
      if (turn.kind === 'hang') {
        hanging.add(res);
        return;
      }
      if (turn.kind === 'error') {
        return sendJson(res, turn.status, errorJson(turn.status, turn.message ?? `scripted ${turn.status}`), {
          'retry-after': String(turn.retryAfterS ?? 0),
          'x-should-retry': 'true',
        });
      }
      const model = turn.model ?? decision.model ?? req.model;
      message = assistantMessage({
        id,
        model,
        ...(turn.kind === 'text' ? { text: turn.text } : { calls: turn.calls }),
        ...(turn.kind === 'tools' && turn.text !== undefined ? { text: turn.text } : {}),
        usage: turnUsage(turn),
        toolUseId: () => `toolu_scripted_${++toolSeq}`,
      });
    }
    if (req.stream === true) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(sseBody(messageEvents(message)));
    } else {
      sendJson(res, 200, messageJson(message));
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const path = req.url ?? '/';
    const parsed = raw ? parseJson(raw) : undefined;
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body: parsed?.success ? parsed.value : raw || undefined,
    };
    const pathname = path.split('?')[0] ?? '/';
    if (rec.method === 'HEAD' || rec.method === 'GET') {
      rec.served = { kind: 'side', label: 'probe' };
      record(rec);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(rec.method === 'GET' ? '{}' : undefined);
      return;
    }
    if (rec.method === 'POST' && pathname === '/v1/messages/count_tokens') {
      rec.served = { kind: 'side', label: 'count_tokens' };
      record(rec);
      return sendJson(res, 200, { input_tokens: Math.ceil(raw.length / 4) });
    }
    if (rec.method === 'POST' && pathname === '/v1/messages') {
      handleMessages(res, rec, raw);
      record(rec);
      return;
    }
    fail(res, rec, 'unknown endpoint');
    record(rec);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const assertAllConsumed = () => {
    const problems = [...failures, ...player.unused()];
    if (problems.length > 0) throw new Error(`scripted model server:\n- ${problems.join('\n- ')}`);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    failures,
    waitFor: (predicate) => {
      const found = requests.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    assertAllConsumed,
    close: async ({ verify = true } = {}) => {
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (verify) assertAllConsumed();
    },
  };
}
