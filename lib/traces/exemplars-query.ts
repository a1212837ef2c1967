// Fetching exemplars from Prometheus' /api/v1/query_exemplars (a base URL from configuration only).
import type { ExemplarPoint } from './api-types';
import { parseExemplars } from './exemplars';

const TIMEOUT_MS = 8_000;

export type ExemplarsResult =
  | { ok: true; value: ExemplarPoint[] }
  | { ok: false; error: { code: 'prometheus_unavailable' | 'prometheus_error'; message: string } };

export async function queryExemplars(
  baseUrl: string,
  q: { query: string; start: number; end: number },
  doFetch: typeof fetch = fetch,
): Promise<ExemplarsResult> {
  const url = `${baseUrl.replace(/\/$/, '')}/api/v1/query_exemplars`;
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ query: q.query, start: String(q.start), end: String(q.end) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      cache: 'no-store',
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return {
      ok: false,
      error: { code: 'prometheus_unavailable', message: `Prometheus at ${baseUrl} is unreachable${cause}` },
    };
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const detail = (body as { error?: string } | undefined)?.error;
    const code = res.status >= 502 && res.status <= 504 ? 'prometheus_unavailable' : 'prometheus_error';
    return {
      ok: false,
      error: { code, message: `Prometheus answered ${res.status}${detail ? `: ${detail}` : ''}` },
    };
  }
  const points = parseExemplars(body);
  if (!points)
    return {
      ok: false,
      error: { code: 'prometheus_error', message: 'Prometheus answered no exemplar data' },
    };
  return { ok: true, value: points };
}
