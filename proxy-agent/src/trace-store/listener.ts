// One of the trace store's HTTP listeners, hardened: the handler sits behind the shared guard, Node's
// header and request deadlines are set, and a request Node cannot parse gets an answer in the port's own
// error shape (then the connection closes) instead of a silent reset.
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { type ErrorResponder, guardedHandler } from '../net/guarded-handler';

/** Time for a client to send a request's headers (slow-loris peers are cut off after it). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** Time to receive a whole request, body included: a 20 MiB OTLP export at ~350 KB/s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Request line plus headers, Node's own default made explicit: bounds URLs and tag queries too. */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
/** Open connections per listener; past it Node closes new connections at once. */
export const DEFAULT_MAX_CONNECTIONS = 1024;
/** How often Node checks the deadlines above (its default, 30 s, would let them slip by that much). */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

export interface ListenerLimits {
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxHeaderBytes?: number;
  maxConnections?: number;
}

export interface ListenerOptions extends ListenerLimits {
  /** Names the listener in log lines (`trace-store query`). */
  name: string;
  log: (line: string) => void;
  /** Writes an error answer in this port's shape (the guard's and the bad-request answers). */
  respond: ErrorResponder;
  /** The same error as raw text on the socket, for requests that never became a request object. */
  errorBody: (status: number, message: string) => { contentType: string; body: string };
}

export function createListener(
  handler: (req: IncomingMessage, res: ServerResponse) => unknown,
  options: ListenerOptions,
): Server {
  const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const server = createServer(
    {
      maxHeaderSize: options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
      headersTimeout,
      // Node refuses a request deadline shorter than the header one.
      requestTimeout: Math.max(headersTimeout, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
      connectionsCheckingInterval: Math.min(CONNECTIONS_CHECKING_INTERVAL_MS, headersTimeout),
    },
    guardedHandler(handler, { name: options.name, log: options.log, respond: options.respond }),
  );
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Node's own default handler checks the same: once a response has begun, raw text would corrupt it.
    const inResponse = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (err.code === 'ECONNRESET' || !socket.writable || inResponse) {
      socket.destroy();
      return;
    }
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const reason =
      status === 431
        ? `request headers exceed ${options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES} bytes`
        : status === 408
          ? 'request not received in time'
          : `malformed request: ${err.code ?? err.message}`;
    options.log(`${options.name}: ${reason}`);
    const { contentType, body } = options.errorBody(status, reason);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: ${contentType}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  return server;
}
