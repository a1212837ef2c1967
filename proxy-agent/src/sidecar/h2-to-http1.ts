// An HTTP/2 stream relayed to the local app over HTTP/1.1, for an app whose port is declared HTTP (Istio's
// inbound cluster speaks the app's protocol, whatever the caller spoke): pseudo-headers become the
// request line and Host, hop-by-hop headers are dropped both ways, bodies stream with back-pressure.
import { Agent, type IncomingHttpHeaders as Http1Headers, request } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';

/** Headers HTTP/1.1 connections own, never relayed between the two protocols. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'te',
]);

type RelayOutcome =
  | { kind: 'response'; status: number; responseBytes: number; reset: boolean }
  | { kind: 'connect-failure' | 'reset' };

export type Http1RelayResult = RelayOutcome & { requestBytes: number };

/** Where the relayed streams go: the app, its connections, how long a connection may take. */
export interface Http1Target {
  host: string;
  port: number;
  agent: Agent;
  connectTimeoutMs: number;
}

/** The app's HTTP/1.1 connections for relayed streams (kept alive, as the inbound cluster's pool). */
export function appHttp1Agent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
}

/** HTTP/1.1 request headers from an HTTP/2 request head (`extra` set last: B3, and so on). */
export function http1RequestHeaders(
  headers: IncomingHttpHeaders,
  extra: Record<string, string>,
  drop: string | undefined,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.charCodeAt(0) === 58 || HOP_BY_HOP.has(name) || name === drop) continue;
    if (name.startsWith('x-b3-') || name === 'b3') continue;
    out[name] = value;
  }
  const authority = headers[':authority'];
  if (typeof authority === 'string' && out.host === undefined) out.host = authority;
  for (const [name, value] of Object.entries(extra)) out[name] = value;
  return out;
}

/** HTTP/2 response headers from an HTTP/1.1 response head. */
export function h2ResponseHeaders(status: number, headers: Http1Headers): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ':status': status };
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** Relays `stream` to the app at host:port over HTTP/1.1; resolves when the response has ended (or failed). */
export function relayToHttp1(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  target: Http1Target,
  requestHeaders: Record<string, string | string[]>,
): Promise<Http1RelayResult> {
  return new Promise((resolve) => {
    let connected = false;
    let settled = false;
    let requestBytes = 0;
    const settle = (r: RelayOutcome) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, requestBytes });
    };
    const req = request({
      host: target.host,
      port: target.port,
      method: String(headers[':method'] ?? 'GET'),
      path: String(headers[':path'] ?? '/'),
      headers: requestHeaders,
      agent: target.agent,
      timeout: target.connectTimeoutMs,
    });
    req.once('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.once('timeout', () => {
      // Only the connection has a deadline here; an answer may take as long as the app needs.
      if (!connected) req.destroy(new Error('connect timeout'));
    });
    req.once('error', () => settle({ kind: connected ? 'reset' : 'connect-failure' }));
    req.once('response', (res) => {
      req.setTimeout(0);
      if (stream.destroyed || stream.closed) {
        res.destroy();
        settle({ kind: 'response', status: res.statusCode ?? 0, responseBytes: 0, reset: true });
        return;
      }
      stream.respond(h2ResponseHeaders(res.statusCode ?? 502, res.headers));
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (!stream.write(chunk)) {
          res.pause();
          stream.once('drain', () => res.resume());
        }
      });
      res.once('end', () => {
        stream.end();
        settle({ kind: 'response', status: res.statusCode ?? 0, responseBytes: bytes, reset: false });
      });
      res.once('error', () => {
        if (!stream.destroyed) stream.close(2);
        settle({ kind: 'response', status: res.statusCode ?? 0, responseBytes: bytes, reset: true });
      });
    });
    // The downstream going away cancels the app's request.
    stream.once('close', () => {
      if (!settled) req.destroy();
    });
    stream.on('data', (chunk: Buffer) => {
      requestBytes += chunk.length;
    });
    stream.pipe(req);
  });
}
