// The trace search as the /traces page keeps it in its URL, validated, and turned into the parameters of
// Jaeger's `/api/traces` (service, operation, tags JSON, start/end in µs, min/maxDuration, limit).
import { z } from 'zod';
import type { TraceSearch } from '@/lib/jaeger/client';

/** Lookback choices, as Jaeger UI offers them. */
export const LOOKBACKS = ['5m', '15m', '30m', '1h', '2h', '6h', '12h', '24h', '2d', '7d'] as const;
export type Lookback = (typeof LOOKBACKS)[number];
const LOOKBACK_MS: Record<Lookback, number> = {
  '5m': 5 * 60_000,
  '15m': 15 * 60_000,
  '30m': 30 * 60_000,
  '1h': 3_600_000,
  '2h': 2 * 3_600_000,
  '6h': 6 * 3_600_000,
  '12h': 12 * 3_600_000,
  '24h': 24 * 3_600_000,
  '2d': 48 * 3_600_000,
  '7d': 168 * 3_600_000,
};

export const DEFAULT_LOOKBACK: Lookback = '1h';
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 1500;
export const MAX_TAGS = 20;

/** Go durations as Jaeger's minDuration/maxDuration take them: `100ms`, `1.5s`, `1m30s`, `250us`. */
const DURATION_PART = /(\d+(?:\.\d+)?)(us|µs|μs|ms|s|m|h)/y;
const UNIT_US: Record<string, number> = { us: 1, µs: 1, μs: 1, ms: 1000, s: 1e6, m: 6e7, h: 3.6e9 };

/** µs of a Go duration, or undefined when the text is not one. */
export function parseGoDuration(text: string): number | undefined {
  if (text.length === 0 || text.length > 32) return undefined;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < text.length) {
    const m = DURATION_PART.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_US[m[2] as string] as number);
  }
  return total;
}

const TAG_KEY = /^[A-Za-z0-9_.\-/:@]{1,200}$/;
const TAG_VALUE_MAX = 500;

export type TagsParse = { ok: true; tags: Record<string, string> } | { ok: false; error: string };

/**
 * Parses tags written as Jaeger UI takes them (logfmt): `http.status_code=503 error=true
 * upstream_cluster="outbound|9080||ratings"`. Keys are checked, values kept as text.
 */
export function parseTags(text: string): TagsParse {
  const tags: Record<string, string> = {};
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i] as string)) i++;
    if (i >= n) break;
    const eq = text.indexOf('=', i);
    const space = text.slice(i).search(/\s/);
    if (eq < 0 || (space >= 0 && i + space < eq)) {
      const token = text.slice(i, space < 0 ? n : i + space);
      return { ok: false, error: `tag "${token}" has no value: write key=value` };
    }
    const key = text.slice(i, eq);
    if (!TAG_KEY.test(key)) return { ok: false, error: `invalid tag key "${key}"` };
    i = eq + 1;
    let value: string;
    if (text[i] === '"') {
      let out = '';
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < n) i++;
        out += text[i];
        i++;
      }
      if (i >= n) return { ok: false, error: `unterminated quote in the value of "${key}"` };
      i++;
      value = out;
    } else {
      const end = text.slice(i).search(/\s/);
      value = text.slice(i, end < 0 ? n : i + end);
      i = end < 0 ? n : i + end;
    }
    if (value.length > TAG_VALUE_MAX) return { ok: false, error: `the value of "${key}" is too long` };
    tags[key] = value;
    if (Object.keys(tags).length > MAX_TAGS) return { ok: false, error: `at most ${MAX_TAGS} tags` };
  }
  return { ok: true, tags };
}

/** Tags back as logfmt text, quoting values that need it. */
export function formatTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => (/^[^\s"\\]+$/.test(v) ? `${k}=${v}` : `${k}="${v.replace(/[\\"]/g, '\\$&')}"`))
    .join(' ');
}

/** Names of services and operations: printable, bounded. */
const name = z
  .string()
  .trim()
  .min(1)
  .max(300)
  .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), {
    message: 'control characters are not allowed',
  });

const duration = z
  .string()
  .trim()
  .refine((s) => parseGoDuration(s) !== undefined, 'a duration like 100ms, 1.5s or 2m');

const boolFlag = z
  .enum(['1', '0', 'true', 'false'])
  .transform((v) => v === '1' || v === 'true')
  .optional();

/** The search form's state, as the URL carries it (every field optional there). */
export const SearchStateSchema = z
  .object({
    service: name.optional(),
    operation: name.optional(),
    tags: z
      .string()
      .max(4000)
      .superRefine((text, ctx) => {
        const r = parseTags(text);
        if (!r.ok) ctx.addIssue({ code: 'custom', message: r.error });
      })
      .optional(),
    errors: boolFlag,
    minDuration: duration.optional(),
    maxDuration: duration.optional(),
    lookback: z.enum(LOOKBACKS).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
  })
  .refine(
    (s) =>
      s.minDuration === undefined ||
      s.maxDuration === undefined ||
      (parseGoDuration(s.minDuration) as number) <= (parseGoDuration(s.maxDuration) as number),
    { message: 'minDuration must not exceed maxDuration', path: ['maxDuration'] },
  );

export interface SearchState {
  service?: string;
  operation?: string;
  /** logfmt text as typed. */
  tags?: string;
  errorsOnly: boolean;
  minDuration?: string;
  maxDuration?: string;
  lookback: Lookback;
  limit: number;
}

export type SearchParse =
  | { ok: true; state: SearchState }
  | { ok: false; errors: { field: string; message: string }[] };

const FIELDS = ['service', 'operation', 'tags', 'errors', 'minDuration', 'maxDuration', 'lookback', 'limit'];

/** Reads the search from URL parameters; empty values count as absent. */
export function parseSearchState(params: URLSearchParams): SearchParse {
  const raw: Record<string, string> = {};
  for (const field of FIELDS) {
    const v = params.get(field);
    if (v !== null && v.trim() !== '') raw[field] = v;
  }
  const result = SearchStateSchema.safeParse(raw);
  if (!result.success) {
    return {
      ok: false,
      errors: result.error.issues.map((i) => ({ field: i.path.join('.') || 'query', message: i.message })),
    };
  }
  const s = result.data;
  return {
    ok: true,
    state: {
      service: s.service,
      operation: s.operation,
      tags: s.tags?.trim() === '' ? undefined : s.tags?.trim(),
      errorsOnly: s.errors ?? false,
      minDuration: s.minDuration,
      maxDuration: s.maxDuration,
      lookback: s.lookback ?? DEFAULT_LOOKBACK,
      limit: s.limit ?? DEFAULT_LIMIT,
    },
  };
}

/** The state as URL parameters, defaults left out (for a shareable, tidy URL). */
export function searchStateToParams(state: SearchState): URLSearchParams {
  const p = new URLSearchParams();
  if (state.service) p.set('service', state.service);
  if (state.operation) p.set('operation', state.operation);
  if (state.tags) p.set('tags', state.tags);
  if (state.errorsOnly) p.set('errors', '1');
  if (state.minDuration) p.set('minDuration', state.minDuration);
  if (state.maxDuration) p.set('maxDuration', state.maxDuration);
  if (state.lookback !== DEFAULT_LOOKBACK) p.set('lookback', state.lookback);
  if (state.limit !== DEFAULT_LIMIT) p.set('limit', String(state.limit));
  return p;
}

/** The tags to search with: the typed ones, plus `error=true` when only errors are wanted. */
export function searchTags(state: SearchState): Record<string, string> {
  const parsed = state.tags ? parseTags(state.tags) : undefined;
  const tags = parsed?.ok ? { ...parsed.tags } : {};
  if (state.errorsOnly) tags.error = 'true';
  return tags;
}

/**
 * The shared Jaeger client's search for `state` over `service`, the window ending at `nowMs`.
 * (Jaeger needs one service; the route handler fans out when the search names none.)
 */
export function toTraceSearch(state: SearchState, service: string, nowMs: number): TraceSearch {
  const tags = searchTags(state);
  const endUs = Math.round(nowMs * 1000);
  return {
    service,
    ...(state.operation ? { operation: state.operation } : {}),
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
    startUs: endUs - LOOKBACK_MS[state.lookback] * 1000,
    endUs,
    ...(state.minDuration ? { minDuration: state.minDuration } : {}),
    ...(state.maxDuration ? { maxDuration: state.maxDuration } : {}),
    limit: state.limit,
  };
}

/** Milliseconds a lookback covers. */
export function lookbackMs(lookback: Lookback): number {
  return LOOKBACK_MS[lookback];
}
