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

/** A JSON answer; `timings` (ms by phase) go out as `Server-Timing`, which browsers' devtools show. */
export function ok(body: unknown, timings?: Record<string, number>): Response {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  const started = performance.now();
  const text = JSON.stringify(body);
  if (timings) {
    const all = { ...timings, serialize: performance.now() - started };
    headers['server-timing'] = Object.entries(all)
      .map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`)
      .join(', ');
  }
  return new Response(text, { headers: { ...headers, 'content-type': 'application/json' } });
}
