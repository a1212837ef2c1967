// Jaeger's HTTP query API over the store: v1 (/api/services, /api/operations, /api/traces,
// /api/dependencies; the {data,total,limit,offset,errors} envelope) and the v3 read endpoints (OTLP JSON
// under `result`). Paths, parameters, status codes and error bodies are Jaeger's.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Trace } from '../../../lib/jaeger/model';
import { tracesToOtlp } from '../../../lib/jaeger/to-otlp';
import { parseTraceId } from '../../../lib/jaeger/trace-id';
import { parseGoDuration } from './go-duration';
import { DEFAULT_QUERY_LIMIT, parseDependencyParams, parseSearchParams } from './query-params';
import type { TraceStore } from './store';

interface StructuredError {
  code?: number;
  msg: string;
  traceID?: string;
}

type Handler = (params: URLSearchParams, res: ServerResponse, match: string[]) => void;

/** Jaeger UI's own maximum for a search's `limit`: more traces than it would ever ask for. */
export const DEFAULT_MAX_SEARCH_LIMIT = 1_500;
/** A search answer stops adding traces past this many bytes (approximate, known before building it). */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface QueryApiOptions {
  /** The clock, in ms (tests pin it). */
  now?: () => number;
  maxSearchLimit?: number;
  maxResponseBytes?: number;
}

/** A node:http request listener answering Jaeger's query API from `store`. */
export function createQueryApi(store: TraceStore, options: QueryApiOptions = {}) {
  const now = options.now ?? Date.now;
  const maxLimit = options.maxSearchLimit ?? DEFAULT_MAX_SEARCH_LIMIT;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const cutMessage = (n: number) =>
    `answer cut at ${n} trace(s): more would pass ${maxBytes} bytes (the trace store's --max-response-bytes); narrow the search`;
  const routes: [RegExp, Handler][] = [
    [/^\/api\/services$/, (_p, res) => envelope(res, store.services(), store.services().length)],
    [
      /^\/api\/services\/([^/]+)\/operations$/,
      (_p, res, [service = '']) => {
        const names = [...new Set(store.operations(decode(service)).map((o) => o.name))].sort();
        envelope(res, names, names.length);
      },
    ],
    [
      /^\/api\/operations$/,
      (params, res) => {
        const service = params.get('service') ?? '';
        if (service === '') return v1Error(res, 400, "parameter 'service' is required");
        const operations = store.operations(service, params.get('spanKind') ?? '');
        envelope(res, operations, operations.length);
      },
    ],
    [
      /^\/api\/traces$/,
      (params, res) => {
        const parsed = parseSearchParams(params, now());
        if (!parsed.ok) return v1Error(res, 400, parsed.error);
        const { query, traceIDs } = parsed.value;
        const errors: StructuredError[] = [];
        if (traceIDs.length === 0) {
          if (query.limit > maxLimit) {
            errors.push({
              code: 400,
              msg: `limit ${query.limit} is past the maximum of ${maxLimit} (the trace store's --max-search-limit); answered at most ${maxLimit} traces`,
            });
            query.limit = maxLimit;
          }
          const found = store.findTracesJsonWithin(query, maxBytes);
          if (found.truncated) errors.push({ msg: cutMessage(found.traces.length) });
          return tracesEnvelope(res, found.traces, errors.length > 0 ? errors : null);
        }
        const found = store.getTracesJsonWithin(traceIDs, maxBytes);
        for (const id of found.missing) errors.push({ msg: 'trace not found', traceID: id });
        if (found.truncated) errors.push({ msg: cutMessage(found.traces.length) });
        tracesEnvelope(res, found.traces, errors.length > 0 ? errors : null);
      },
    ],
    [
      /^\/api\/traces\/([^/]+)$/,
      (_p, res, [rawId = '']) => {
        const id = parseTraceId(decode(rawId));
        if (!id.ok) return v1Error(res, 400, id.error);
        const trace = store.getTraceJson(id.id);
        if (trace === undefined) return v1Error(res, 404, 'trace not found');
        tracesEnvelope(res, [trace], null);
      },
    ],
    [
      /^\/api\/dependencies$/,
      (params, res) => {
        const parsed = parseDependencyParams(params, now());
        if (!parsed.ok) return v1Error(res, 400, parsed.error);
        const service = params.get('service') ?? '';
        const links = store
          .dependencies(parsed.value.endTsMs, parsed.value.lookbackMs)
          .filter((l) => service === '' || l.parent === service || l.child === service);
        envelope(res, links, 0, null);
      },
    ],
    [/^\/api\/v3\/services$/, (_p, res) => json(res, 200, { services: store.services() })],
    [
      /^\/api\/v3\/operations$/,
      (params, res) => {
        const service = params.get('service') ?? '';
        if (service === '') return v3Error(res, 400, 'service name is required');
        json(res, 200, { operations: store.operations(service, params.get('span_kind') ?? '') });
      },
    ],
    [
      /^\/api\/v3\/traces\/([^/]+)$/,
      (_p, res, [rawId = '']) => {
        const id = parseTraceId(decode(rawId));
        if (!id.ok) return v3Error(res, 400, `malformed parameter trace_id: ${id.error}`);
        const trace = store.getTrace(id.id);
        v3Traces(res, trace ? [trace] : []);
      },
    ],
    [
      /^\/api\/v3\/traces$/,
      (params, res) => {
        const parsed = parseV3Search(params);
        if (typeof parsed === 'string') return v3Error(res, 400, parsed);
        // v3's answer has no place for a remark: a cut answer says so in a Warning header.
        const warnings: string[] = [];
        if (parsed.limit > maxLimit) {
          warnings.push(`query.search_depth ${parsed.limit} is past the maximum of ${maxLimit}`);
          parsed.limit = maxLimit;
        }
        const found = store.findTracesWithin(parsed, maxBytes);
        if (found.truncated) warnings.push(cutMessage(found.traces.length));
        if (warnings.length > 0) res.setHeader('warning', `299 - ${JSON.stringify(warnings.join('; '))}`);
        v3Traces(res, found.traces);
      },
    ],
  ];

  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    for (const [pattern, handler] of routes) {
      const m = pattern.exec(url.pathname);
      if (!m) continue;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8' }).end('405 method not allowed\n');
        return;
      }
      handler(url.searchParams, res, m.slice(1));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
  };
}

function envelope(
  res: ServerResponse,
  data: unknown,
  total: number,
  errors: StructuredError[] | null = null,
) {
  json(res, 200, { data, total, limit: 0, offset: 0, errors });
}

/** `envelope` of traces given as their JSON text (the store keeps spans serialized). */
function tracesEnvelope(res: ServerResponse, traces: string[], errors: StructuredError[] | null): void {
  const text = `{"data":[${traces.join(',')}],"total":0,"limit":0,"offset":0,"errors":${JSON.stringify(errors)}}`;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Jaeger's error envelope as Go's http.Error writes it: JSON as text/plain with a newline. */
export function jaegerErrorBody(code: number, msg: string): { contentType: string; body: string } {
  const body = JSON.stringify({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code, msg }] });
  return { contentType: 'text/plain; charset=utf-8', body: `${body}\n` };
}

/** Jaeger answers errors through Go's http.Error: the JSON envelope as text/plain with a newline. */
export function v1Error(res: ServerResponse, code: number, msg: string): void {
  const { contentType, body } = jaegerErrorBody(code, msg);
  res.writeHead(code, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

function v3Error(res: ServerResponse, httpCode: number, message: string): void {
  res.writeHead(httpCode, {
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
  });
  res.end(`${JSON.stringify({ error: { httpCode, message } })}\n`);
}

function v3Traces(res: ServerResponse, traces: Trace[]): void {
  if (traces.length === 0) v3Error(res, 404, 'No traces found');
  else json(res, 200, { result: tracesToOtlp(traces) });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  // Written as a string, not copied into a Buffer first: a Buffer per answer (1 MB for 100 traces) counts
  // as external memory, which makes V8 start major GCs of the whole store early.
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `/api/v3/traces` query: `query.service_name`, `query.start_time_min/max` (RFC 3339, required) and more. */
function parseV3Search(params: URLSearchParams) {
  const service = params.get('query.service_name') ?? '';
  if (service === '') return 'query.service_name is required';
  const times: number[] = [];
  for (const name of ['query.start_time_min', 'query.start_time_max']) {
    const text = params.get(name) ?? '';
    if (text === '') return `${name} is required`;
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) return `malformed parameter ${name}: ${JSON.stringify(text)} is not RFC 3339`;
    times.push(ms * 1000 + fractionalMicros(text));
  }
  const durations: (number | undefined)[] = [];
  for (const name of ['query.duration_min', 'query.duration_max']) {
    const text = params.get(name) ?? '';
    if (text === '') {
      durations.push(undefined);
      continue;
    }
    const d = parseGoDuration(text);
    if (!d.ok) return `malformed parameter ${name}: ${d.error}`;
    durations.push(d.ns || undefined);
  }
  const depthText = params.get('query.search_depth') ?? params.get('query.num_traces') ?? '';
  const depth = depthText === '' ? DEFAULT_QUERY_LIMIT : Number.parseInt(depthText, 10);
  if (!Number.isFinite(depth) || depth <= 0) return `malformed parameter query.search_depth: ${depthText}`;
  const tags: Record<string, string> = {};
  const attributes = params.get('query.attributes');
  if (attributes) {
    try {
      const parsed: unknown = JSON.parse(attributes);
      if (parsed && typeof parsed === 'object') {
        for (const [k, v] of Object.entries(parsed)) tags[k] = String(v);
      }
    } catch {
      return 'malformed parameter query.attributes: not a JSON object';
    }
  }
  return {
    serviceName: service,
    operationName: params.get('query.operation_name') || undefined,
    tags,
    startTimeMin: times[0],
    startTimeMax: times[1],
    durationMinNs: durations[0],
    durationMaxNs: durations[1],
    limit: depth,
  };
}

/** Microseconds below the millisecond in an RFC 3339 time ("…:05.123456Z" → 456). */
function fractionalMicros(text: string): number {
  const m = /\.(\d{4,6})/.exec(text);
  return m?.[1] ? Number(m[1].padEnd(6, '0').slice(3, 6)) : 0;
}
