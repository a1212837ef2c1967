// A small client of Jaeger's HTTP query API (v1: /api/services, /api/services/{s}/operations, /api/traces,
// /api/traces/{id}) whose failures are typed values. Answers are checked against the shared Jaeger model.
// The base URL comes from the operator's configuration only, never from a request.
import type { z } from 'zod';
import {
  ErrorResponseSchema,
  OperationNamesResponseSchema,
  ServicesResponseSchema,
  type Trace,
  TracesResponseSchema,
} from '@/lib/jaeger/model';
import type { TraceApiErrorCode } from './api-types';

export const DEFAULT_JAEGER_URL = 'http://127.0.0.1:16686';
const DEFAULT_TIMEOUT_MS = 8_000;

export interface JaegerError {
  code: Extract<TraceApiErrorCode, 'jaeger_unavailable' | 'jaeger_error' | 'trace_not_found'>;
  message: string;
}
export type JaegerResult<T> = { ok: true; value: T } | { ok: false; error: JaegerError };

export interface JaegerQueryClient {
  readonly baseUrl: string;
  services(): Promise<JaegerResult<string[]>>;
  operations(service: string): Promise<JaegerResult<string[]>>;
  /** `/api/traces` with the given parameters (see `toJaegerSearchParams`). */
  search(params: URLSearchParams): Promise<JaegerResult<Trace[]>>;
  trace(traceId: string): Promise<JaegerResult<Trace>>;
}

/** The query API's base URL from `JAEGER_URL`, else the embedded store's default. */
export function jaegerUrlFromEnv(env: Record<string, string | undefined> = process.env): string {
  const raw = env.JAEGER_URL?.trim();
  if (!raw) return DEFAULT_JAEGER_URL;
  const u = new URL(raw);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`JAEGER_URL must be http(s): ${raw}`);
  return u.toString().replace(/\/$/, '');
}

export interface JaegerClientOptions {
  baseUrl: string;
  timeoutMs?: number;
  /** The fetch to use (tests). */
  fetch?: typeof fetch;
}

export function createJaegerQueryClient(options: JaegerClientOptions): JaegerQueryClient {
  const baseUrl = options.baseUrl.replace(/\/$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function get<S extends z.ZodType>(path: string, schema: S): Promise<JaegerResult<z.infer<S>>> {
    let res: Response;
    try {
      res = await doFetch(`${baseUrl}${path}`, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
        cache: 'no-store',
      });
    } catch (err) {
      const reason =
        err instanceof Error && err.name === 'TimeoutError' ? 'did not answer in time' : 'is unreachable';
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      return {
        ok: false,
        error: { code: 'jaeger_unavailable', message: `Jaeger at ${baseUrl} ${reason}${cause}` },
      };
    }
    let body: unknown = await res.json().catch(() => undefined);
    // Jaeger (Go) writes an empty list as `data: null`.
    if (res.ok && typeof body === 'object' && body !== null && (body as { data?: unknown }).data === null) {
      body = { ...body, data: [] };
    }
    if (!res.ok) {
      const envelope = ErrorResponseSchema.safeParse(body);
      const msg = envelope.success ? envelope.data.errors?.[0]?.msg : undefined;
      if (res.status === 404) {
        return { ok: false, error: { code: 'trace_not_found', message: msg ?? 'trace not found' } };
      }
      const code = res.status >= 502 && res.status <= 504 ? 'jaeger_unavailable' : 'jaeger_error';
      return { ok: false, error: { code, message: `Jaeger answered ${res.status}${msg ? `: ${msg}` : ''}` } };
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        error: {
          code: 'jaeger_error',
          message: `Jaeger's answer is not Jaeger JSON (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`,
        },
      };
    }
    return { ok: true, value: parsed.data };
  }

  const data = <T>(r: JaegerResult<{ data: T }>): JaegerResult<T> =>
    r.ok ? { ok: true, value: r.value.data } : r;

  return {
    baseUrl,
    services: async () => data(await get('/api/services', ServicesResponseSchema)),
    operations: async (service) =>
      data(
        await get(`/api/services/${encodeURIComponent(service)}/operations`, OperationNamesResponseSchema),
      ),
    search: async (params) => data(await get(`/api/traces?${params}`, TracesResponseSchema)),
    trace: async (traceId) => {
      const r = data(await get(`/api/traces/${encodeURIComponent(traceId)}`, TracesResponseSchema));
      if (!r.ok) return r;
      const trace = r.value[0];
      if (!trace)
        return { ok: false, error: { code: 'trace_not_found', message: `trace ${traceId} not found` } };
      return { ok: true, value: trace };
    },
  };
}
