// The downstream limits every sidecar listener keeps, after Envoy's: a deadline for a request head
// (request_headers_timeout), one for a stalled request body (stream_idle_timeout), and a cap on open
// connections per listener, beyond which a request is answered 503 with Envoy's overload flag (OM).
import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';

/** A request head must be complete this long after its first byte (Envoy: request_headers_timeout). */
export const REQUEST_HEADERS_TIMEOUT_MS = 10_000;
/** A request body that sends nothing for this long is answered 408 (Envoy's stream_idle_timeout: 5 min). */
export const STREAM_IDLE_TIMEOUT_MS = 300_000;
/** Open downstream connections per listener; more are answered 503 (OM) and closed. */
export const MAX_DOWNSTREAM_CONNECTIONS = 4096;

export interface ListenerLimits {
  headersTimeoutMs: number;
  streamIdleTimeoutMs: number;
  maxConnections: number;
}

export const DEFAULT_LISTENER_LIMITS: ListenerLimits = {
  headersTimeoutMs: REQUEST_HEADERS_TIMEOUT_MS,
  streamIdleTimeoutMs: STREAM_IDLE_TIMEOUT_MS,
  maxConnections: MAX_DOWNSTREAM_CONNECTIONS,
};

/** What Envoy answers when its overload manager refuses a request. */
export const OVERLOAD_REPLY = { status: 503, body: 'envoy overloaded', flag: 'OM' } as const;
/** What Envoy answers when a request body stalls past the stream idle timeout. */
export const STREAM_IDLE_REPLY = { status: 408, body: 'stream timeout', flag: 'SI' } as const;

/** Raw 408 for a request head that did not complete in time (nothing else is known about it). */
export const HEADERS_TIMEOUT_RESPONSE =
  'HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n';

/**
 * Counts a listener's open connections. A connection over the cap is let in only to be answered: its
 * first request gets 503 (OM) and the connection closes, so the client learns why instead of seeing a reset.
 */
export class ConnectionCap {
  private open = 0;
  private readonly refused = new WeakSet<Socket>();

  constructor(readonly max: number) {}

  /** Registers a new connection; false when it is over the cap (answer it with `OVERLOAD_REPLY`). */
  admit(socket: Socket): boolean {
    if (this.open >= this.max) {
      this.refused.add(socket);
      return false;
    }
    this.open++;
    socket.once('close', () => {
      this.open--;
    });
    return true;
  }

  isRefused(socket: Socket): boolean {
    return this.refused.has(socket);
  }

  get connections(): number {
    return this.open;
  }
}

function overloadAnswer(res: ServerResponse): void {
  const { status, body, flag } = OVERLOAD_REPLY;
  res.writeHead(status, {
    'content-type': 'text/plain',
    'content-length': Buffer.byteLength(body),
    'x-envoy-response-flags': flag,
    connection: 'close',
  });
  res.end(body);
}

/** How often node:http looks for requests past their deadlines (its default, 30 s, would blur them). */
const MAX_DEADLINE_CHECK_MS = 1000;

/**
 * A node:http server with the limits: Node's head and request deadlines (408), and for a server that
 * accepts its own connections (`countConnections`) the cap answered with 503 (OM). A server that only
 * takes connections handed over by the fast path (already counted, head already read) gets an idle
 * timeout instead, as Node checks deadlines only for servers that listen.
 */
export function limitedHttpServer(
  limits: ListenerLimits,
  handler: RequestListener,
  options: { maxHeaderSize: number; keepAliveTimeout?: number; countConnections: boolean },
): HttpServer {
  const server = createServer({
    maxHeaderSize: options.maxHeaderSize,
    ...(options.keepAliveTimeout === undefined ? {} : { keepAliveTimeout: options.keepAliveTimeout }),
    // node:http has no idle timer for a request body: the whole request must arrive within the stream
    // idle timeout (Node's requestTimeout), and its head within that too (Node needs headers ≤ request).
    headersTimeout: Math.min(limits.headersTimeoutMs, limits.streamIdleTimeoutMs),
    requestTimeout: limits.streamIdleTimeoutMs,
    connectionsCheckingInterval: Math.min(
      MAX_DEADLINE_CHECK_MS,
      limits.headersTimeoutMs,
      limits.streamIdleTimeoutMs,
    ),
  });
  if (!options.countConnections) {
    server.timeout = limits.streamIdleTimeoutMs;
    server.on('request', handler);
    return server;
  }
  const cap = new ConnectionCap(limits.maxConnections);
  server.on('connection', (socket: Socket) => {
    cap.admit(socket);
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (cap.isRefused(req.socket)) overloadAnswer(res);
    else handler(req, res);
  });
  return server;
}
