// OTLP/HTTP trace receiver, `POST /v1/traces`, as the OTLP specification says: JSON or protobuf bodies
// (optionally gzip/deflate), 200 with an ExportTraceServiceResponse in the request's encoding (with
// partialSuccess when spans were rejected), 400 for a body that does not parse, 413 past the size limit,
// 415 for other content types; error bodies are google.rpc.Status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { type OtlpTracesData, spansFromOtlp } from '../../../lib/jaeger/from-otlp';
import { otlpProtobufCodec } from './otlp-protobuf';
import type { TraceStore } from './store';

/** The collector's default `max_request_body_size`: 20 MiB, for the body as sent and as decompressed. */
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
/** String and binary attribute values are cut past this many characters. */
export const DEFAULT_MAX_VALUE_LENGTH = 64 * 1024;

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

// google.rpc.Code values used in error bodies.
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;
const INTERNAL = 13;

type Encoding = 'json' | 'protobuf';

export interface OtlpReceiverOptions {
  maxBodyBytes?: number;
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
  const maxValueLength = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;

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
    try {
      if (!encoding) {
        throw new HttpError(
          415,
          INVALID_ARGUMENT,
          `unsupported content type: ${req.headers['content-type'] ?? '(none)'}`,
        );
      }
      const raw = await readBody(req, maxBodyBytes);
      const body = await decompress(raw, req.headers['content-encoding'], maxBodyBytes);
      const data = decode(body, encoding);
      const converted = spansFromOtlp(data, { maxValueLength });
      const added = store.add(converted.spans);
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
    }
  };
}

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/json') return 'json';
  if (mediaType === 'application/x-protobuf') return 'protobuf';
  return undefined;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

async function decompress(body: Buffer, contentEncoding: string | undefined, limit: number): Promise<Buffer> {
  const coding = (contentEncoding ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return body;
  try {
    if (coding === 'gzip' || coding === 'x-gzip') return await gunzipAsync(body, { maxOutputLength: limit });
    if (coding === 'deflate') return await inflateAsync(body, { maxOutputLength: limit });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || (err instanceof RangeError && /larger than/i.test(err.message))) {
      throw tooLarge(limit);
    }
    throw new HttpError(400, INVALID_ARGUMENT, `cannot decompress ${coding} body: ${(err as Error).message}`);
  }
  throw new HttpError(400, INVALID_ARGUMENT, `unsupported Content-Encoding: ${contentEncoding}`);
}

function decode(body: Buffer, encoding: Encoding): OtlpTracesData {
  if (encoding === 'protobuf') {
    try {
      return otlpProtobufCodec().decodeRequest(body);
    } catch (err) {
      throw new HttpError(
        400,
        INVALID_ARGUMENT,
        `cannot decode protobuf ExportTraceServiceRequest: ${(err as Error).message}`,
      );
    }
  }
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

function sendStatus(res: ServerResponse, encoding: Encoding, err: HttpError): void {
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
