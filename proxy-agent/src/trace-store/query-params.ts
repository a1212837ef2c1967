// Parameters of Jaeger's query API, parsed as Jaeger's query_parser.go does (same defaults, same messages).
import { parseTraceId } from '../../../lib/jaeger/trace-id';
import { parseGoDuration } from './go-duration';
import type { TraceQuery } from './store';

export const DEFAULT_QUERY_LIMIT = 100;
/** Jaeger's default search window when `start` is absent: two days back from now. */
export const DEFAULT_TRACE_LOOKBACK_MS = 2 * 24 * 3_600_000;
/** Jaeger's default for /api/dependencies' `lookback`: one day. */
export const DEFAULT_DEPENDENCY_LOOKBACK_MS = 24 * 3_600_000;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export interface SearchParams {
  query: TraceQuery;
  /** `traceID` parameters: fetch these traces instead of searching. */
  traceIDs: string[];
}

/** `/api/traces` parameters; `nowMs` stands for the clock (defaults: start = now - 48h, end = now). */
export function parseSearchParams(params: URLSearchParams, nowMs: number): Parsed<SearchParams> {
  const service = params.get('service') ?? '';
  const operation = params.get('operation') ?? '';
  const start = parseTime(params, 'start', 1, nowMs * 1000 - DEFAULT_TRACE_LOOKBACK_MS * 1000);
  if (!start.ok) return start;
  const end = parseTime(params, 'end', 1, nowMs * 1000);
  if (!end.ok) return end;

  const tags: Record<string, string> = {};
  for (const tag of params.getAll('tag')) {
    const [key = '', ...value] = tag.split(':');
    if (value.length === 0) {
      return { ok: false, error: `malformed 'tag' parameter, expecting key:value, received: ${tag}` };
    }
    tags[key] = value.join(':');
  }
  for (const json of params.getAll('tags')) {
    const parsed = parseStringMap(json);
    if (!parsed.ok) return parsed;
    Object.assign(tags, parsed.value);
  }

  let limit = DEFAULT_QUERY_LIMIT;
  const limitText = params.get('limit') ?? '';
  if (limitText !== '') {
    if (!/^[-+]?\d+$/.test(limitText)) {
      return { ok: false, error: `strconv.ParseInt: parsing ${JSON.stringify(limitText)}: invalid syntax` };
    }
    limit = Number(limitText);
    if (limit <= 0) limit = DEFAULT_QUERY_LIMIT;
  }

  const minDuration = parseDurationParam(params, 'minDuration');
  if (!minDuration.ok) return minDuration;
  const maxDuration = parseDurationParam(params, 'maxDuration');
  if (!maxDuration.ok) return maxDuration;

  const traceIDs: string[] = [];
  for (const id of params.getAll('traceID')) {
    const parsed = parseTraceId(id);
    if (!parsed.ok) return { ok: false, error: `cannot parse traceID param: ${parsed.error}` };
    traceIDs.push(parsed.id);
  }

  if (traceIDs.length === 0 && service === '') return { ok: false, error: "parameter 'service' is required" };
  if (minDuration.value !== 0 && maxDuration.value !== 0 && maxDuration.value < minDuration.value) {
    return { ok: false, error: "'maxDuration' should be greater than 'minDuration'" };
  }
  return {
    ok: true,
    value: {
      traceIDs,
      query: {
        serviceName: service,
        operationName: operation || undefined,
        tags,
        startTimeMin: start.value,
        startTimeMax: end.value,
        durationMinNs: minDuration.value || undefined,
        durationMaxNs: maxDuration.value || undefined,
        limit,
      },
    },
  };
}

/** `/api/dependencies` parameters: `endTs` (ms, default now) and `lookback` (ms, default 24h). */
export function parseDependencyParams(
  params: URLSearchParams,
  nowMs: number,
): Parsed<{ endTsMs: number; lookbackMs: number }> {
  const endTs = parseTime(params, 'endTs', 1, nowMs);
  if (!endTs.ok) return endTs;
  const lookbackText = params.get('lookback') ?? '';
  let lookbackMs = DEFAULT_DEPENDENCY_LOOKBACK_MS;
  if (lookbackText !== '') {
    if (!/^[-+]?\d+$/.test(lookbackText)) {
      return {
        ok: false,
        error: `unable to parse param 'lookback': strconv.ParseInt: parsing ${JSON.stringify(lookbackText)}: invalid syntax`,
      };
    }
    lookbackMs = Number(lookbackText);
  }
  return { ok: true, value: { endTsMs: endTs.value, lookbackMs } };
}

/** An integer time parameter (in the caller's units), or the fallback when absent. */
function parseTime(params: URLSearchParams, name: string, scale: number, fallback: number): Parsed<number> {
  const text = params.get(name) ?? '';
  if (text === '') return { ok: true, value: fallback };
  if (!/^[-+]?\d+$/.test(text)) {
    return {
      ok: false,
      error: `unable to parse param '${name}': strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`,
    };
  }
  return { ok: true, value: Number(text) * scale };
}

function parseDurationParam(params: URLSearchParams, name: string): Parsed<number> {
  const text = params.get(name) ?? '';
  if (text === '') return { ok: true, value: 0 };
  const parsed = parseGoDuration(text);
  return parsed.ok
    ? { ok: true, value: parsed.ns }
    : { ok: false, error: `unable to parse param '${name}': ${parsed.error}` };
}

function parseStringMap(json: string): Parsed<Record<string, string>> {
  const fail = (why: string): Parsed<Record<string, string>> => ({
    ok: false,
    error: `malformed 'tags' parameter, cannot unmarshal JSON: ${why}`,
  });
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  if (value === null) return { ok: true, value: {} };
  if (typeof value !== 'object' || Array.isArray(value)) return fail('expected a JSON object of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') return fail(`value of ${JSON.stringify(k)} is not a string`);
    out[k] = v;
  }
  return { ok: true, value: out };
}
