// A typed client of Jaeger's HTTP query API: v1 (/api/services, /api/operations, /api/traces,
// /api/dependencies) and, where a Jaeger has dropped v1's routes, the v3 read endpoints (OTLP JSON under
// `result`, converted to the same Jaeger model). Failures are values, never exceptions. The base URL must
// come from configuration, never from a request.
import type { z } from 'zod';
import {
  DependenciesResponseSchema,
  type DependencyLink,
  ErrorResponseSchema,
  type Operation,
  OperationsResponseSchema,
  ServicesResponseSchema,
  type Trace,
} from './model';
import { readTraces } from './read-traces';
import type { JaegerError, JaegerErrorKind, JaegerResult } from './result';
import { badAnswer, readTraceAnswer, type TraceAnswer } from './trace-answer';

export type { JaegerError, JaegerErrorKind, JaegerResult } from './result';
export type { TraceAnswer } from './trace-answer';

export interface TraceSearch {
  service: string;
  operation?: string;
  tags?: Record<string, string>;
  /** Span start bounds, µs since the epoch. */
  startUs?: number;
  endUs?: number;
  /** Go durations ("1.2s", "100ms"). */
  minDuration?: string;
  maxDuration?: string;
  limit?: number;
}

export interface JaegerClientOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface JaegerClient {
  services(): Promise<JaegerResult<string[]>>;
  /** Operations with their span kinds; `spanKind` filters ("server", "client", ...). */
  operations(service: string, spanKind?: string): Promise<JaegerResult<Operation[]>>;
  findTraces(search: TraceSearch): Promise<JaegerResult<Trace[]>>;
  getTrace(traceId: string): Promise<JaegerResult<Trace>>;
  /**
   * One trace's answer as Jaeger wrote it (2xx only; failures as for `getTrace`), not parsed: the dashboard
   * hands a big trace's bytes to the browser, which reads them with `readTraceAnswer` as `getTrace` does.
   */
  getTraceAnswer(traceId: string, onProgress?: AnswerProgress): Promise<JaegerResult<TraceAnswer>>;
  /** Call counts between services; v1 only. */
  dependencies(endTsMs: number, lookbackMs: number): Promise<JaegerResult<DependencyLink[]>>;
  /** Which API answered last: v1 until a Jaeger without v1's routes is met. */
  readonly apiVersion: 'v1' | 'v3';
}

/**
 * Told how much of a 2xx trace answer has arrived (and its declared length, if any) while it is read: the
 * page knows a trace is too big to embed long before its last byte.
 */
export type AnswerProgress = (received: number, declared: number | undefined) => void;

const DEFAULT_TIMEOUT_MS = 10_000;

/** A body read chunk by chunk, `onProgress` told at the headers and after every chunk. */
async function readWatched(res: Response, onProgress: AnswerProgress): Promise<ArrayBuffer> {
  const length = Number(res.headers.get('content-length'));
  const declared = Number.isFinite(length) && length > 0 ? length : undefined;
  onProgress(0, declared);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onProgress(received, declared);
  }
  const out = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out.buffer;
}

type Raw = { status: number; body: unknown; json: boolean } | { error: JaegerError };
type RawBytes = { status: number; bytes: Uint8Array<ArrayBuffer> } | { error: JaegerError };

function parsed(raw: RawBytes): Raw {
  if ('error' in raw) return raw;
  const text = new TextDecoder().decode(raw.bytes);
  try {
    return { status: raw.status, body: JSON.parse(text), json: true };
  } catch {
    return { status: raw.status, body: text, json: false };
  }
}

/** A v1 route that does not exist answers Go's plain "404 page not found": then v3 is the way. */
const routeMissing = (raw: Raw) => !('error' in raw) && raw.status === 404 && !raw.json;

const tracesFromV3 = (body: Record<string, unknown>) => {
  const read = readTraces(body);
  return read.ok ? read.traces : undefined;
};

function v3<T>(raw: Raw, pick: (body: Record<string, unknown>) => T | undefined): JaegerResult<T> {
  if ('error' in raw) return { ok: false, error: raw.error };
  if (raw.status >= 200 && raw.status < 300 && typeof raw.body === 'object' && raw.body !== null) {
    const value = pick(raw.body as Record<string, unknown>);
    return value === undefined ? badAnswer(raw.status, 'unexpected v3 answer') : { ok: true, value };
  }
  if (raw.status >= 200 && raw.status < 300) return badAnswer(raw.status, 'not JSON');
  const message =
    (raw.body as { error?: { message?: string } } | null)?.error?.message ??
    (String(raw.body).trim() || 'no message');
  return { ok: false, error: { kind: kindOf(raw.status), message, status: raw.status } };
}

function v1<S extends z.ZodType, T>(raw: Raw, schema: S, pick: (parsed: z.infer<S>) => T): JaegerResult<T> {
  if ('error' in raw) return { ok: false, error: raw.error };
  if (raw.status >= 200 && raw.status < 300) {
    // Go writes an empty list as null.
    const body =
      typeof raw.body === 'object' && raw.body !== null && (raw.body as { data?: unknown }).data === null
        ? { ...raw.body, data: [] }
        : raw.body;
    const parsed = schema.safeParse(body);
    return parsed.success
      ? { ok: true, value: pick(parsed.data) }
      : badAnswer(raw.status, parsed.error.message);
  }
  const envelope = ErrorResponseSchema.safeParse(raw.body);
  const msg = (envelope.success && envelope.data.errors?.[0]?.msg) || String(raw.body).trim() || 'no message';
  return { ok: false, error: { kind: kindOf(raw.status), message: msg, status: raw.status } };
}

/** Trace answers are read leniently (`read-traces.ts`): only one without any trace is a bad answer. */
function v1Traces(raw: Raw): JaegerResult<Trace[]> {
  if ('error' in raw || raw.status < 200 || raw.status >= 300) return v1(raw, ErrorResponseSchema, () => []);
  if (!raw.json) return badAnswer(raw.status, 'not JSON');
  const read = readTraces(raw.body);
  return read.ok ? { ok: true, value: read.traces } : badAnswer(raw.status, read.message);
}

/** A failed read carried over to another result type (a non-2xx answer always reads as a failure). */
function failure<T>(r: JaegerResult<unknown>): JaegerResult<T> {
  return r.ok ? badAnswer(0, 'a failure read as a success') : r;
}

export function createJaegerClient(options: JaegerClientOptions): JaegerClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let apiVersion: 'v1' | 'v3' = 'v1';

  async function getBytes(path: string, onProgress?: AnswerProgress): Promise<RawBytes> {
    let res: Response;
    try {
      res = await doFetch(`${baseUrl}${path}`, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      return {
        error: {
          kind: 'unavailable',
          message: `Jaeger at ${baseUrl} ${timedOut ? 'did not answer in time' : 'is unreachable'}`,
        },
      };
    }
    const ok = res.status >= 200 && res.status < 300;
    const bytes = await (ok && onProgress && res.body
      ? readWatched(res, onProgress)
      : res.arrayBuffer()
    ).then(
      (b) => new Uint8Array(b),
      () => new Uint8Array(0),
    );
    return { status: res.status, bytes };
  }
  const get = async (path: string): Promise<Raw> => parsed(await getBytes(path));

  /** Tries v1, and v3 when v1's route is missing (remembering that for the next calls). */
  async function either<T>(
    viaV1: () => Promise<Raw>,
    readV1: (raw: Raw) => JaegerResult<T>,
    viaV3: (() => Promise<JaegerResult<T>>) | undefined,
  ): Promise<JaegerResult<T>> {
    if (apiVersion === 'v1') {
      const raw = await viaV1();
      if (!routeMissing(raw) || !viaV3) return readV1(raw);
      apiVersion = 'v3';
    }
    if (!viaV3) return { ok: false, error: { kind: 'unsupported', message: 'not offered by the v3 API' } };
    return viaV3();
  }

  /** A trace's 2xx answer as bytes, v1 first and v3 where v1's route is missing; failures read as for any call. */
  async function traceAnswer(
    traceId: string,
    onProgress?: AnswerProgress,
  ): Promise<JaegerResult<TraceAnswer>> {
    const id = encodeURIComponent(traceId);
    if (apiVersion === 'v1') {
      const raw = await getBytes(`/api/traces/${id}`, onProgress);
      if (!('error' in raw) && raw.status >= 200 && raw.status < 300) {
        return { ok: true, value: { api: 'v1', bytes: raw.bytes } };
      }
      const failed = parsed(raw);
      if (!routeMissing(failed)) return failure(v1Traces(failed));
      apiVersion = 'v3';
    }
    const raw = await getBytes(`/api/v3/traces/${id}`, onProgress);
    if (!('error' in raw) && raw.status >= 200 && raw.status < 300) {
      return { ok: true, value: { api: 'v3', bytes: raw.bytes } };
    }
    return failure(v3(parsed(raw), () => undefined));
  }

  return {
    get apiVersion() {
      return apiVersion;
    },
    services: () =>
      either(
        () => get('/api/services'),
        (raw) => v1(raw, ServicesResponseSchema, (r) => r.data),
        async () =>
          v3(await get('/api/v3/services'), (b) =>
            Array.isArray(b.services) ? b.services.map(String) : undefined,
          ),
      ),
    operations: (service, spanKind = '') =>
      either(
        () => get(`/api/operations?${new URLSearchParams({ service, spanKind })}`),
        (raw) => v1(raw, OperationsResponseSchema, (r) => r.data),
        async () =>
          v3(await get(`/api/v3/operations?${new URLSearchParams({ service, span_kind: spanKind })}`), (b) =>
            Array.isArray(b.operations)
              ? (b.operations as { name?: unknown; spanKind?: unknown }[]).map((o) => ({
                  name: String(o.name ?? ''),
                  spanKind: String(o.spanKind ?? ''),
                }))
              : undefined,
          ),
      ),
    findTraces: (search) =>
      either(
        () => get(`/api/traces?${v1SearchParams(search)}`),
        (raw) => v1Traces(raw),
        async () => {
          const raw = await get(`/api/v3/traces?${v3SearchParams(search)}`);
          // v3 answers "no traces" with 404.
          if (!('error' in raw) && raw.status === 404) return { ok: true, value: [] };
          return v3(raw, tracesFromV3);
        },
      ),
    getTrace: async (traceId) => {
      const r = await traceAnswer(traceId);
      return r.ok ? readTraceAnswer(r.value) : r;
    },
    getTraceAnswer: (traceId, onProgress) => traceAnswer(traceId, onProgress),
    dependencies: (endTsMs, lookbackMs) =>
      either(
        () =>
          get(
            `/api/dependencies?${new URLSearchParams({ endTs: String(endTsMs), lookback: String(lookbackMs) })}`,
          ),
        (raw) => v1(raw, DependenciesResponseSchema, (r) => r.data),
        undefined,
      ),
  };
}

function kindOf(status: number): JaegerErrorKind {
  if (status === 404) return 'not_found';
  if (status === 400) return 'bad_request';
  return 'server_error';
}

/** `/api/traces` parameters as the Jaeger UI sends them. */
export function v1SearchParams(s: TraceSearch): URLSearchParams {
  const p = new URLSearchParams({ service: s.service });
  if (s.operation) p.set('operation', s.operation);
  if (s.tags && Object.keys(s.tags).length > 0) p.set('tags', JSON.stringify(s.tags));
  if (s.startUs !== undefined) p.set('start', String(s.startUs));
  if (s.endUs !== undefined) p.set('end', String(s.endUs));
  if (s.minDuration) p.set('minDuration', s.minDuration);
  if (s.maxDuration) p.set('maxDuration', s.maxDuration);
  if (s.limit !== undefined) p.set('limit', String(s.limit));
  return p;
}

/** `/api/v3/traces` parameters; v3 requires both time bounds (RFC 3339), so they default to the last 2 days. */
export function v3SearchParams(s: TraceSearch, nowMs: number = Date.now()): URLSearchParams {
  const endUs = s.endUs ?? nowMs * 1000;
  const startUs = s.startUs ?? endUs - 2 * 24 * 3600 * 1e6;
  const p = new URLSearchParams({
    'query.service_name': s.service,
    'query.start_time_min': rfc3339(startUs),
    'query.start_time_max': rfc3339(endUs),
  });
  if (s.operation) p.set('query.operation_name', s.operation);
  if (s.minDuration) p.set('query.duration_min', s.minDuration);
  if (s.maxDuration) p.set('query.duration_max', s.maxDuration);
  if (s.limit !== undefined) {
    // `num_traces` until Jaeger 2.5-ish, `search_depth` since; each ignores the other.
    p.set('query.search_depth', String(s.limit));
    p.set('query.num_traces', String(s.limit));
  }
  if (s.tags && Object.keys(s.tags).length > 0) p.set('query.attributes', JSON.stringify(s.tags));
  return p;
}

/** µs since the epoch as RFC 3339 with microseconds. */
export function rfc3339(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // …:SS.mmmZ
  const micro = String(Math.floor(us) % 1000).padStart(3, '0');
  return `${iso.slice(0, -1)}${micro}Z`;
}
