// OTLP/HTTP trace receiver, `POST /v1/traces`, as the OTLP specification says: JSON or protobuf bodies
// (optionally gzip/deflate), 200 with an ExportTraceServiceResponse in the request's encoding (with
// partialSuccess when spans were rejected), 400 for a body that does not parse, 413 past the size limit,
// 415 for other content types; error bodies are google.rpc.Status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transform } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import type { OtlpTracesData } from '../../../lib/jaeger/from-otlp';
import type { IngestBatch } from './ingest-common';
import { ingestOtlpJson } from './ingest-otlp-json';
import { ingestOtlpJsonBytes } from './ingest-otlp-json-bytes';
import { ingestOtlpProtobuf } from './ingest-otlp-protobuf';
import { otlpProtobufCodec } from './otlp-protobuf';
import type { TraceStore } from './store';

/** The collector's default `max_request_body_size`: 20 MiB, for the body as sent and as decompressed. */
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
/**
 * Decompressed bytes of request bodies being received and decoded at once; past this, exports are told to
 * retry (503). Decoding a body takes a few times its size again, so this bounds the receiver's memory.
 */
export const DEFAULT_MAX_INFLIGHT_BYTES = 64 * 1024 * 1024;
/** String and binary attribute values are cut past this many characters. */
export const DEFAULT_MAX_VALUE_LENGTH = 64 * 1024;

// google.rpc.Code values used in error bodies.
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;
const INTERNAL = 13;

type Encoding = 'json' | 'protobuf';

export interface OtlpReceiverOptions {
  maxBodyBytes?: number;
  maxInflightBytes?: number;
  maxValueLength?: number;
  /** Called for each export that was accepted in part only (for the log). */
  onRejected?: (rejected: number, message: string) => void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly grpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** A node:http request listener receiving OTLP/HTTP trace exports into `store`. */
export function createOtlpReceiver(store: TraceStore, options: OtlpReceiverOptions = {}) {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // Many large exports at once must not exhaust memory: they share one budget of decompressed body bytes.
  const inflight = { bytes: 0, limit: options.maxInflightBytes ?? DEFAULT_MAX_INFLIGHT_BYTES };
  const maxValueLength = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  // Built now (parsing the embedded .proto files takes tens of ms), not in the first export's request.
  otlpProtobufCodec();
  const bodyBuffers = new BodyBuffers();

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/v1/traces') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      req.resume();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${req.method} method not allowed, supported: [POST]\n`);
      req.resume();
      return;
    }
    const encoding = encodingOf(req.headers['content-type']);
    let held = 0; // body bytes of this request counted in the in-flight budget
    let pooled: Buffer | undefined; // the body's buffer, to give back
    try {
      if (!encoding) {
        throw new HttpError(
          415,
          INVALID_ARGUMENT,
          `unsupported content type: ${req.headers['content-type'] ?? '(none)'}`,
        );
      }
      // A JSON body is only read into strings (never kept as views of it): its buffer is reused after.
      const read = await readBody(req, maxBodyBytes, inflight, encoding === 'json' ? bodyBuffers : undefined);
      held = read.held;
      pooled = read.pooled;
      const body = read.body;
      const converted = convert(body, encoding, maxValueLength);
      const added = store.addSpans(converted.spans);
      const rejected = converted.rejectedSpans + added.rejected;
      const errorMessage = [...converted.errors, ...added.errors].join('; ');
      if (rejected > 0) options.onRejected?.(rejected, errorMessage);
      sendResponse(res, encoding, rejected > 0 ? { rejectedSpans: rejected, errorMessage } : undefined);
    } catch (err) {
      const e =
        err instanceof HttpError
          ? err
          : new HttpError(500, INTERNAL, err instanceof Error ? err.message : String(err));
      sendStatus(res, encoding ?? 'json', e);
      if (!req.complete) {
        // The rest of an oversized or refused body is not read: close the connection after answering.
        res.once('finish', () => req.destroy());
      }
    } finally {
      inflight.bytes -= held;
      if (pooled !== undefined) bodyBuffers.give(pooled);
    }
  };
}

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/json') return 'json';
  if (mediaType === 'application/x-protobuf') return 'protobuf';
  return undefined;
}

/**
 * The whole body, decompressed as it arrives: its decompressed bytes count against the shared in-flight
 * budget (the caller gives back `held`), and a body past `limit` as sent or decompressed is refused at
 * that point, so a gzip bomb never inflates past the limit.
 */
function readBody(
  req: IncomingMessage,
  limit: number,
  inflight: { bytes: number; limit: number },
  buffers?: BodyBuffers,
): Promise<{ body: Buffer; held: number; pooled?: Buffer }> {
  const contentEncoding = req.headers['content-encoding'];
  const coding = (contentEncoding ?? '').trim().toLowerCase();
  let decoder: Transform | undefined;
  if (coding === 'gzip' || coding === 'x-gzip') decoder = createGunzip();
  else if (coding === 'deflate') decoder = createInflate();
  else if (coding !== '' && coding !== 'identity') {
    return Promise.reject(
      new HttpError(400, INVALID_ARGUMENT, `unsupported Content-Encoding: ${contentEncoding}`),
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  // As sent, a body is a lower bound of what it decompresses to.
  if (Number.isFinite(declared) && inflight.bytes + declared > inflight.limit) return Promise.reject(busy());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let held = 0;
    let received = 0;
    let done = false;
    // A plain body of known length goes into one buffer as it arrives (no chunk list joined at the end);
    // that buffer is held from now, so its bytes count against the in-flight budget from now.
    let whole: Buffer | undefined;
    let filled = 0;
    let pooled: Buffer | undefined;
    if (!decoder && Number.isFinite(declared) && declared > 0) {
      pooled = buffers?.take(declared);
      whole = pooled === undefined ? Buffer.allocUnsafe(declared) : pooled.subarray(0, declared);
      held = declared;
      inflight.bytes += declared;
    }
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      if (err) {
        req.pause();
        decoder?.destroy();
        inflight.bytes -= held;
        if (pooled !== undefined) buffers?.give(pooled);
        reject(err);
      } else if (whole !== undefined) {
        resolve({ body: filled === whole.length ? whole : whole.subarray(0, filled), held, pooled });
      } else resolve({ body: Buffer.concat(chunks), held, pooled });
    };
    const take = (chunk: Buffer) => {
      if (done) return;
      if (whole !== undefined) {
        if (filled + chunk.length <= whole.length) {
          filled += chunk.copy(whole, filled);
          return;
        }
        // More than declared (node's parser does not let this happen): back to a list of chunks.
        chunks.push(whole.subarray(0, filled));
        whole = undefined;
      }
      held += chunk.length;
      inflight.bytes += chunk.length;
      if (held > limit) finish(tooLarge(limit));
      else if (inflight.bytes > inflight.limit) finish(busy());
      else chunks.push(chunk);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) finish(tooLarge(limit));
      else if (decoder) decoder.write(chunk);
      else take(chunk);
    };
    req.on('data', onData);
    req.once('end', () => (decoder ? decoder.end() : finish()));
    req.once('error', (err) => finish(err));
    if (decoder) {
      decoder.on('data', take);
      decoder.once('end', () => finish());
      decoder.once('error', (err) =>
        finish(new HttpError(400, INVALID_ARGUMENT, `cannot decompress ${coding} body: ${err.message}`)),
      );
    }
  });
}

/** Reused bodies are at most this large; larger ones get a buffer of their own. */
const MAX_POOLED_BODY_BYTES = 4 * 1024 * 1024;
/** Buffers kept for reuse (so at most 4 × 4 MiB held between requests). */
const MAX_POOLED_BODIES = 4;

/**
 * Buffers for bodies, given back once a body is read, so that receiving does not allocate a new buffer a
 * request: each is memory outside V8's heap that V8 counts, and a run of them starts full collections of
 * the whole store's heap.
 */
class BodyBuffers {
  private readonly free: Buffer[] = [];

  /** A buffer of at least `bytes` (its start is the body), or undefined past the pooled size. */
  take(bytes: number): Buffer | undefined {
    if (bytes > MAX_POOLED_BODY_BYTES) return undefined;
    for (let i = this.free.length - 1; i >= 0; i--) {
      const b = this.free[i] as Buffer;
      if (b.length >= bytes) {
        this.free.splice(i, 1);
        return b;
      }
    }
    // A little room (at most 1/16, or 4 KiB), so that it fits later bodies of about this size; no more, as
    // bodies in flight are counted by their declared length.
    const unit = Math.max(4096, 2 ** Math.floor(Math.log2(bytes)) / 16);
    return Buffer.allocUnsafeSlow(Math.min(MAX_POOLED_BODY_BYTES, Math.ceil(bytes / unit) * unit));
  }

  give(buffer: Buffer): void {
    if (this.free.length < MAX_POOLED_BODIES) this.free.push(buffer);
  }
}

/** The body's spans in the store's form (straight from the bytes or the parsed JSON). */
function convert(body: Buffer, encoding: Encoding, maxValueLength: number): IngestBatch {
  // JSON: read from the bytes; a body that reader does not walk is parsed whole (same answers).
  if (encoding === 'json') {
    return ingestOtlpJsonBytes(body, maxValueLength) ?? ingestOtlpJson(parseJson(body), maxValueLength);
  }
  try {
    return ingestOtlpProtobuf(body, maxValueLength);
  } catch (err) {
    throw new HttpError(
      400,
      INVALID_ARGUMENT,
      `cannot decode protobuf ExportTraceServiceRequest: ${(err as Error).message}`,
    );
  }
}

function parseJson(body: Buffer): OtlpTracesData {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new HttpError(
      400,
      INVALID_ARGUMENT,
      `cannot parse JSON ExportTraceServiceRequest: ${(err as Error).message}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HttpError(400, INVALID_ARGUMENT, 'ExportTraceServiceRequest must be a JSON object');
  }
  const resourceSpans = (parsed as { resourceSpans?: unknown }).resourceSpans;
  if (resourceSpans !== undefined && resourceSpans !== null && !Array.isArray(resourceSpans)) {
    throw new HttpError(400, INVALID_ARGUMENT, 'resourceSpans must be an array');
  }
  return parsed as OtlpTracesData;
}

/** OTLP/HTTP: 503 is retryable; the exporter backs off and sends again. */
function busy(): HttpError {
  return new HttpError(503, UNAVAILABLE, 'too many exports being received at once; retry later');
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, RESOURCE_EXHAUSTED, `request body exceeds the limit of ${limit} bytes`);
}

function sendResponse(
  res: ServerResponse,
  encoding: Encoding,
  partialSuccess: { rejectedSpans: number; errorMessage: string } | undefined,
): void {
  if (encoding === 'protobuf') {
    const bytes = otlpProtobufCodec().encodeResponse(partialSuccess);
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': bytes.length });
    res.end(bytes);
    return;
  }
  // proto3 JSON: int64 as a string.
  const text = JSON.stringify(
    partialSuccess
      ? {
          partialSuccess: {
            rejectedSpans: String(partialSuccess.rejectedSpans),
            errorMessage: partialSuccess.errorMessage,
          },
        }
      : {},
  );
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A google.rpc.Status as OTLP/JSON, for answers given before the request's encoding is known. */
export function otlpErrorBody(status: number, message: string): { contentType: string; body: string } {
  const code = status === 503 ? UNAVAILABLE : status >= 500 ? INTERNAL : INVALID_ARGUMENT;
  return { contentType: 'application/json', body: JSON.stringify({ code, message }) };
}

/** `otlpErrorBody` written to a response (the shared guard's answers on the OTLP port). */
export function otlpErrorResponder(res: ServerResponse, status: number, message: string): void {
  const { contentType, body } = otlpErrorBody(status, message);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendStatus(res: ServerResponse, encoding: Encoding, err: HttpError): void {
  if (err.status === 503) res.setHeader('retry-after', '1');
  if (encoding === 'protobuf') {
    const bytes = otlpProtobufCodec().encodeStatus(err.grpcCode, err.message);
    res.writeHead(err.status, { 'content-type': 'application/x-protobuf', 'content-length': bytes.length });
    res.end(bytes);
    return;
  }
  const text = JSON.stringify({ code: err.grpcCode, message: err.message });
  res.writeHead(err.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
