// Errors below the API, answered as Kubernetes Status objects too: what the shared guard catches (a
// request target that does not parse, a handler bug) and what Node's HTTP parser rejects before any
// handler runs (malformed requests, headers too large, a request that did not arrive in time).
import type { Socket } from 'node:net';
import type { ErrorResponder } from '../net/guarded-handler';
import { failure, type Status, type StatusReason } from './status';

function statusText(status: Status): string {
  return JSON.stringify(status);
}

/** The guard's answer: 400 BadRequest or 500 InternalError, as a Status. */
export const respondWithStatus: ErrorResponder = (res, code, message) => {
  const reason: StatusReason = code === 400 ? 'BadRequest' : 'InternalError';
  const body = statusText(failure(code, reason, message));
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

const PARSER_ERRORS: Record<string, [number, StatusReason, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Timeout', 'Request Timeout', 'the request did not arrive in time'],
  HPE_HEADER_OVERFLOW: [
    431,
    'BadRequest',
    'Request Header Fields Too Large',
    'the request headers are too large',
  ],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [
    413,
    'RequestEntityTooLarge',
    'Payload Too Large',
    'chunk extensions too large',
  ],
};

/**
 * The server's `clientError` handler: as Node's default (an answer only when nothing was written on the
 * connection yet, then the connection closes), but the answer is a Status and the event is logged.
 */
export function onClientError(log: (line: string) => void) {
  return (err: Error & { code?: string }, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [code, reason, text, message] = PARSER_ERRORS[err.code ?? ''] ?? [
      400,
      'BadRequest',
      'Bad Request',
      `malformed request: ${err.message}`,
    ];
    log(`client error from ${socket.remoteAddress ?? '?'}: ${err.code ?? ''} ${err.message}`);
    if (socket.bytesWritten === 0) {
      const body = statusText(failure(code, reason, message));
      socket.end(
        `HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        () => socket.destroy(),
      );
      return;
    }
    socket.destroy();
  };
}
