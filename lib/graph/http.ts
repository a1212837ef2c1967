// How the graph API answers errors: `{error: {code, message}}` with a status that says whose fault it is.
import type { PromError } from '../prometheus/client';

export interface ApiError {
  error: { code: string; message: string };
}

export function badRequest(message: string): Response {
  return Response.json({ error: { code: 'bad_request', message } } satisfies ApiError, { status: 400 });
}

/** Prometheus unreachable or overloaded → 503; timed out or refusing the query → 502 (a bad gateway). */
export function prometheusFailure(e: PromError): Response {
  const status = e.code === 'prometheus_unavailable' ? 503 : 502;
  return Response.json({ error: { code: e.code, message: e.message } } satisfies ApiError, {
    status,
    headers: { 'cache-control': 'no-store' },
  });
}

export function ok(body: unknown): Response {
  return Response.json(body, { headers: { 'cache-control': 'no-store' } });
}
