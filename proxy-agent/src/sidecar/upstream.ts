// One try of a request on an upstream connection pool, and relaying its response downstream. The I/O
// edge shared by the outbound and inbound listeners; it classifies failures as Envoy does.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import type { TryOutcome } from './retry';

/** Request headers never forwarded: hop-by-hop (RFC 9110 §7.6.1), and what the sidecar sets itself. */
const DROP_REQUEST = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'content-length',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
]);

const DROP_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'x-envoy-response-flags',
]);

/**
 * Headers to send upstream as a flat [name, value, ...] list: the downstream's raw headers minus the
 * dropped ones and `extraDrop`, plus `add` (B3 of the new span, peer metadata).
 */
export function upstreamHeaders(
  raw: readonly string[],
  add: Readonly<Record<string, string>>,
  extraDrop?: string,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (DROP_REQUEST.has(lower) || lower === extraDrop) continue;
    out.push(name, raw[i + 1] as string);
  }
  for (const k in add) out.push(k, add[k] as string);
  return out;
}

export function hasRequestBody(headers: IncomingHttpHeaders): boolean {
  const cl = headers['content-length'];
  return (cl !== undefined && cl !== '0') || headers['transfer-encoding'] !== undefined;
}

export interface UpstreamRequest {
  method: string;
  path: string;
  headers: string[];
  body: Buffer | NodeJS.ReadableStream | null;
}

export type TryResult =
  | { outcome: { kind: 'response'; status: number }; response: Dispatcher.ResponseData }
  | { outcome: Exclude<TryOutcome, { kind: 'response' }>; response: undefined };

const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return typeof e?.name === 'string' ? e.name : '';
}

/** Sends one try; never rejects. `signal` aborts it (a timeout): the outcome is then per-try-timeout. */
export async function sendTry(
  pool: Pool,
  req: UpstreamRequest,
  signal: AbortSignal | undefined,
): Promise<TryResult> {
  try {
    const response = await pool.request({
      method: req.method as Dispatcher.HttpMethod,
      path: req.path,
      headers: req.headers,
      body: req.body as Dispatcher.DispatchOptions['body'],
      signal,
    });
    return { outcome: { kind: 'response', status: response.statusCode }, response };
  } catch (err) {
    if (signal?.aborted) return { outcome: { kind: 'per-try-timeout' }, response: undefined };
    return {
      outcome: { kind: CONNECT_ERRORS.has(errorCode(err)) ? 'connect-failure' : 'reset' },
      response: undefined,
    };
  }
}

/** Response headers to relay downstream (hop-by-hop dropped), with the sidecar's flags when any. */
export function downstreamHeaders(
  headers: IncomingHttpHeaders,
  flags: string,
): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const k in headers) if (!DROP_RESPONSE.has(k)) out[k] = headers[k];
  if (flags !== '-') out['x-envoy-response-flags'] = flags;
  return out;
}

/**
 * Streams an upstream response to the downstream with back-pressure; `done` gets the body bytes and
 * whether it completed (false: the upstream or the downstream broke off).
 */
export function relayResponse(
  res: ServerResponse,
  response: Dispatcher.ResponseData,
  flags: string,
  done: (bytes: number, complete: boolean) => void,
): void {
  res.writeHead(response.statusCode, downstreamHeaders(response.headers, flags));
  const body = response.body;
  let bytes = 0;
  let finished = false;
  const finish = (complete: boolean) => {
    if (finished) return;
    finished = true;
    res.off('drain', onDrain);
    res.off('close', onClose);
    done(bytes, complete);
  };
  const onDrain = () => body.resume();
  const onClose = () => {
    if (!res.writableFinished) {
      body.destroy();
      finish(false);
    }
  };
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (!res.write(chunk)) body.pause();
  });
  body.on('end', () => {
    res.end();
    finish(true);
  });
  body.on('error', () => {
    res.destroy();
    finish(false);
  });
  res.on('drain', onDrain);
  res.on('close', onClose);
}

/** Reads a whole request body (to replay it on retry); rejects past `limit` bytes. */
export function readBody(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        return;
      }
      chunks.push(c);
    });
    stream.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Sends a reply the sidecar makes itself (Envoy's local reply). */
export function localReply(res: ServerResponse, status: number, body: string, flags: string): number {
  if (res.headersSent) {
    res.destroy();
    return 0;
  }
  const headers: Record<string, string | number> = {
    'content-type': 'text/plain',
    'content-length': Buffer.byteLength(body),
  };
  if (flags !== '-') headers['x-envoy-response-flags'] = flags;
  res.writeHead(status, headers);
  res.end(body);
  return Buffer.byteLength(body);
}
