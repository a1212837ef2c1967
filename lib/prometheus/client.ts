// A thin Prometheus HTTP API client: instant and range queries whose failures are typed values
// (unreachable, timeout, bad query), never exceptions. The base URL comes from the operator's
// configuration only — never from a request. Range queries go through `prometheus-query`; instant
// queries (the graph's, tens of MB at scale) are read with one `JSON.parse` and no per-sample objects
// beyond the sample itself — the driver's per-sample `Date`/class churn cost more than Prometheus did —
// through `node:http` on loopback (uncompressed), `fetch` elsewhere (compressed).
import { appendFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { PerformanceObserver } from 'node:perf_hooks';
import { PrometheusDriver, type QueryResult } from 'prometheus-query';
import type { Sample } from '../graph/series';

export const DEFAULT_PROMETHEUS_URL = 'http://127.0.0.1:9090';
const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * The largest instant-query answer read (env `MESHLENS_PROMETHEUS_MAX_BYTES`): the graph of 5,000 workloads
 * reads ~85 MB answers; past this a query is refused in words instead of growing the server without bound.
 */
export const DEFAULT_MAX_ANSWER_BYTES = 256 * 2 ** 20;

export function maxAnswerBytesFromEnv(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.MESHLENS_PROMETHEUS_MAX_BYTES);
  return env.MESHLENS_PROMETHEUS_MAX_BYTES && Number.isInteger(n) && n > 0 ? n : DEFAULT_MAX_ANSWER_BYTES;
}

export type PromErrorCode = 'prometheus_unavailable' | 'prometheus_timeout' | 'prometheus_query_error';
export interface PromError {
  code: PromErrorCode;
  message: string;
  /** HTTP status Prometheus answered with, when it answered. */
  status?: number;
}
export type PromResult<T> = { ok: true; value: T } | { ok: false; error: PromError };

export interface RangeSeries {
  labels: Record<string, string>;
  /** [unix seconds, value] */
  points: [number, number][];
}

/**
 * An instant query's answer as Prometheus sent it (HTTP 2xx): its body's bytes, for a caller that reads a large
 * answer of a known shape straight from them, and `samples()`, the same answer as `instant` gives it (parsed
 * when called; a body that is not a success is the error `instant` would answer).
 */
export interface InstantBody {
  body: Buffer;
  samples(): PromResult<Sample[]>;
}

export interface PromClient {
  readonly baseUrl: string;
  /** Instant query at `timeSec` (Unix seconds). */
  instant(query: string, timeSec: number): Promise<PromResult<Sample[]>>;
  /** `instant`, its answer handed over unparsed (see `InstantBody`); absent: the caller uses `instant`. */
  instantBody?(query: string, timeSec: number): Promise<PromResult<InstantBody>>;
  range(query: string, startSec: number, endSec: number, stepSec: number): Promise<PromResult<RangeSeries[]>>;
}

export interface ClientOptions {
  baseUrl: string;
  timeoutMs?: number;
  /** Instant-query answers above this many bytes are refused (`prometheus_query_error`). */
  maxAnswerBytes?: number;
}

class AnswerTooLarge extends Error {}

/** An answer's chunks as they arrive, refused (`AnswerTooLarge`) past `max` bytes, declared or read. */
class Gathered {
  private readonly chunks: Uint8Array[] = [];
  private bytes = 0;

  constructor(
    private readonly max: number,
    declared: number,
  ) {
    if (declared > max) throw new AnswerTooLarge();
  }

  add(chunk: Uint8Array): void {
    this.bytes += chunk.byteLength;
    if (this.bytes > this.max) throw new AnswerTooLarge();
    this.chunks.push(chunk);
  }

  body(): Buffer {
    return Buffer.concat(this.chunks, this.bytes);
  }
}

/** The body's bytes, refused past `max` bytes (by its Content-Length, or as it arrives). */
async function boundedBytes(res: Response, max: number): Promise<Buffer> {
  let gathered: Gathered;
  try {
    gathered = new Gathered(max, Number(res.headers.get('content-length')));
  } catch (err) {
    await res.body?.cancel();
    throw err;
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    try {
      gathered.add(value);
    } catch (err) {
      await reader.cancel();
      throw err;
    }
  }
  return gathered.body();
}

/**
 * `MESHLENS_PROMETHEUS_READ_TRACE=<file>` (a measurement aid, off by default): every loopback read's timeline —
 * sent, written to its socket, headers, first and last byte (ms since the epoch), bytes, chunks, the longest wait between two chunks —
 * and every garbage collection of the process appended to the file as JSON lines; callers add their own marks
 * (`traceMark`). Read by `scripts/bench/graph-next-profile.mjs --reads`.
 */
const traceFile = process.env.MESHLENS_PROMETHEUS_READ_TRACE || undefined;
const epochMs = () => performance.timeOrigin + performance.now();

export function traceMark(event: string, detail: Record<string, unknown> = {}): void {
  if (!traceFile) return;
  // The process' CPU so far (every thread: the collector's helpers too), ms.
  const cpu = process.cpuUsage();
  const line = { event, t: epochMs(), cpu: (cpu.user + cpu.system) / 1000, ...detail };
  appendFileSync(traceFile, `${JSON.stringify(line)}\n`);
}

if (traceFile)
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      traceMark('gc', {
        start: performance.timeOrigin + e.startTime,
        ms: e.duration,
        kind: (e as { detail?: { kind?: number } }).detail?.kind,
      });
  }).observe({ entryTypes: ['gc'] });

/**
 * Plain HTTP on loopback keeps its connections to Prometheus between reads (as fetch's pool does), read through
 * `node:http`: its chunks are Buffers handed over by an event, not web streams' promise a chunk (measured on the
 * graph's reads at 5,000 workloads: 40-45 % less CPU a read). An idle connection is closed after 30 s, long
 * before Prometheus closes it (its read timeout, 5 minutes), so a read never goes out on one being closed.
 */
const keptConnections = new HttpAgent({ keepAlive: true, timeout: 30_000 });

/**
 * `fetch`'s POST of a form on loopback through `node:http` (uncompressed, asked as `identity`): the same status
 * and body bound, a `TimeoutError` past `timeoutMs` (the whole answer), a network error with its cause.
 */
function postLoopback(
  url: string,
  form: string,
  timeoutMs: number,
  maxBytes: number,
): Promise<{ status: number; ok: boolean; body: Buffer }> {
  const trace = traceFile
    ? {
        query: new URLSearchParams(form).get('query'),
        time: new URLSearchParams(form).get('time'),
        sent: epochMs(),
        written: 0,
        headers: 0,
        first: 0,
        last: 0,
        bytes: 0,
        chunks: 0,
        maxGap: 0,
        reused: false,
        port: 0,
      }
    : undefined;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const timer = setTimeout(() => {
      const timeout = new Error(`no answer in ${timeoutMs} ms`);
      timeout.name = 'TimeoutError';
      fail(timeout);
    }, timeoutMs);
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent: keptConnections,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(form),
          'accept-encoding': 'identity',
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        let gathered: Gathered;
        try {
          gathered = new Gathered(maxBytes, Number(res.headers['content-length']));
        } catch (err) {
          fail(err as Error);
          return;
        }
        if (trace) {
          trace.headers = epochMs();
          trace.reused = (req as unknown as { reusedSocket?: boolean }).reusedSocket === true;
          trace.port = req.socket?.localPort ?? 0;
        }
        res.on('data', (chunk: Buffer) => {
          if (trace) {
            const now = epochMs();
            if (trace.chunks === 0) trace.first = now;
            else trace.maxGap = Math.max(trace.maxGap, now - trace.last);
            trace.last = now;
            trace.chunks++;
            trace.bytes += chunk.byteLength;
          }
          try {
            gathered.add(chunk);
          } catch (err) {
            fail(err as Error);
          }
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (trace) traceMark('read', { ...trace, end: epochMs() });
          resolve({ status, ok, body: gathered.body() });
        });
        res.on('error', (err) => fail(networkError(err)));
        res.on('close', () => {
          if (!res.complete) fail(networkError(new Error('the answer was cut short')));
        });
      },
    );
    req.on('error', (err) => fail(networkError(err)));
    // When the request has been handed to the socket (after the code that sent it yielded).
    if (trace)
      req.on('finish', () => {
        trace.written = epochMs();
      });
    req.end(form);
  });
}

/** A network failure as fetch throws it: its cause is what went wrong. */
function networkError(cause: Error): Error {
  return new Error('fetch failed', { cause });
}

/** The Prometheus base URL from the environment (`PROMETHEUS_URL`), else the local default. */
export function prometheusUrlFromEnv(env: Record<string, string | undefined> = process.env): string {
  const raw = env.PROMETHEUS_URL?.trim();
  if (!raw) return DEFAULT_PROMETHEUS_URL;
  const u = new URL(raw);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`PROMETHEUS_URL must be http(s): ${raw}`);
  return u.toString().replace(/\/$/, '');
}

interface DriverError {
  errorType?: string;
  error?: string;
  httpStatus?: number;
}

export function toPromError(err: unknown, baseUrl: string): PromError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as DriverError;
  if (e.errorType === 'timeout_error') {
    return { code: 'prometheus_timeout', message: `Prometheus at ${baseUrl} did not answer in time` };
  }
  if (e.errorType === 'http_error') {
    const status = e.httpStatus;
    // 4xx is a query Prometheus refused; 5xx a Prometheus (or a proxy in front of it) in trouble.
    if (status !== undefined && status >= 500 && status !== 503 && status !== 502) {
      return { code: 'prometheus_query_error', message: `Prometheus failed: ${e.error ?? status}`, status };
    }
    if (status !== undefined && status < 500) {
      return {
        code: 'prometheus_query_error',
        message: `Prometheus rejected the query: ${e.error ?? status}`,
        status,
      };
    }
    return {
      code: 'prometheus_unavailable',
      message: `Prometheus at ${baseUrl} is unavailable (${status})`,
      status,
    };
  }
  const detail = e.error ?? (err instanceof Error ? err.message : String(err));
  return { code: 'prometheus_unavailable', message: `Prometheus at ${baseUrl} is unreachable: ${detail}` };
}

/** Prometheus' float text (`"1.5"`, `"NaN"`, `"+Inf"`, `"-Inf"`) as a number. */
export function promFloat(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

interface ApiAnswer {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

/** The samples of a parsed `/api/v1/query` answer; a scalar or string answer has none. */
export function samplesOfAnswer(answer: ApiAnswer): Sample[] {
  const data = answer.data;
  if (data?.resultType !== 'vector' || !Array.isArray(data.result)) return [];
  const result = data.result as { metric: Record<string, string>; value: [number, string] }[];
  const out: Sample[] = new Array(result.length);
  for (let i = 0; i < result.length; i++) {
    const r = result[i] as { metric: Record<string, string>; value: [number, string] };
    out[i] = { labels: r.metric, value: promFloat(r.value[1]) };
  }
  return out;
}

/** Whether the URL's host is this machine (where an uncompressed answer is cheaper than a gzipped one). */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Whether reads go through `node:http` (plain HTTP on loopback) rather than `fetch`. */
function readsThroughNodeHttp(baseUrl: string): boolean {
  return baseUrl.startsWith('http:') && isLoopback(baseUrl);
}

/** One POST to `/api/v1/query`, its body read whole (bounded); failures typed as the driver's are. */
async function postInstant(
  baseUrl: string,
  query: string,
  timeSec: number,
  timeoutMs: number,
  maxBytes: number = DEFAULT_MAX_ANSWER_BYTES,
): Promise<PromResult<{ status: number; ok: boolean; body: Buffer }>> {
  try {
    if (readsThroughNodeHttp(baseUrl))
      return {
        ok: true,
        value: await postLoopback(
          `${baseUrl}/api/v1/query`,
          new URLSearchParams({ query, time: String(timeSec) }).toString(),
          timeoutMs,
          maxBytes,
        ),
      };
    const res = await fetch(`${baseUrl}/api/v1/query`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        // On loopback, compressing tens of MB costs both processes CPU and saves nothing.
        ...(isLoopback(baseUrl) ? { 'accept-encoding': 'identity' } : {}),
      },
      body: new URLSearchParams({ query, time: String(timeSec) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await boundedBytes(res, maxBytes);
    return { ok: true, value: { status: res.status, ok: res.ok, body } };
  } catch (err) {
    if (err instanceof AnswerTooLarge)
      return {
        ok: false,
        error: {
          code: 'prometheus_query_error',
          message: `Prometheus' answer is larger than ${Math.round(maxBytes / 2 ** 20)} MiB (MESHLENS_PROMETHEUS_MAX_BYTES): ask for fewer namespaces or a shorter window`,
        },
      };
    const name = err instanceof Error ? err.name : '';
    if (name === 'TimeoutError' || name === 'AbortError')
      return { ok: false, error: toPromError({ errorType: 'timeout_error' }, baseUrl) };
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
    return {
      ok: false,
      error: toPromError({ errorType: 'network_error', error: cause ?? String(err) }, baseUrl),
    };
  }
}

/** The samples of an answer's body, parsed once; an answer that is not a success as a typed error. */
function samplesOfBody(
  baseUrl: string,
  answered: { status: number; ok: boolean; body: Buffer },
): PromResult<Sample[]> {
  const text = answered.body.toString('utf8');
  let answer: ApiAnswer | undefined;
  try {
    answer = JSON.parse(text) as ApiAnswer;
  } catch {
    answer = undefined;
  }
  if (!answered.ok || answer?.status !== 'success') {
    return {
      ok: false,
      error: toPromError(
        { errorType: 'http_error', httpStatus: answered.status, error: answer?.error ?? text.slice(0, 200) },
        baseUrl,
      ),
    };
  }
  return { ok: true, value: samplesOfAnswer(answer) };
}

function rangeOf(r: QueryResult): RangeSeries[] {
  if (r.resultType !== 'matrix') return [];
  return (
    r.result as { metric: { labels: Record<string, string> }; values: { time: Date; value: number }[] }[]
  ).map((s) => ({
    labels: { ...s.metric.labels },
    points: s.values.map((p) => [p.time.getTime() / 1000, p.value] as [number, number]),
  }));
}

export function createPrometheusClient(options: ClientOptions): PromClient {
  const baseUrl = options.baseUrl.replace(/\/$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  const driver = new PrometheusDriver({
    endpoint: baseUrl,
    baseURL: '/api/v1/',
    // Graph queries are long; POST keeps them out of URL length limits.
    preferPost: true,
    timeout: timeoutMs,
  });
  return {
    baseUrl,
    async instant(query, timeSec) {
      const answered = await postInstant(baseUrl, query, timeSec, timeoutMs, maxAnswerBytes);
      return answered.ok ? samplesOfBody(baseUrl, answered.value) : answered;
    },
    async instantBody(query, timeSec) {
      const answered = await postInstant(baseUrl, query, timeSec, timeoutMs, maxAnswerBytes);
      if (!answered.ok) return answered;
      const a = answered.value;
      if (!a.ok) {
        const failed = samplesOfBody(baseUrl, a);
        if (!failed.ok) return failed;
      }
      return { ok: true, value: { body: a.body, samples: () => samplesOfBody(baseUrl, a) } };
    },
    async range(query, startSec, endSec, stepSec) {
      try {
        const r = await driver.rangeQuery(query, new Date(startSec * 1000), new Date(endSec * 1000), stepSec);
        return { ok: true, value: rangeOf(r) };
      } catch (err) {
        return { ok: false, error: toPromError(err, baseUrl) };
      }
    },
  };
}
