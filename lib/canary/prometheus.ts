// Instant PromQL queries for the canary panel, through `prometheus-query`. The URL comes from
// `PROMETHEUS_URL` (the operator's), never from a request. Failures are values.
import 'server-only';
import { PrometheusDriver } from 'prometheus-query';
import type { Sample } from './observed';

export const DEFAULT_PROMETHEUS_URL = 'http://127.0.0.1:9090';

export type QueryResult = { ok: true; samples: Sample[] } | { ok: false; message: string };

let driver: { url: string; driver: PrometheusDriver } | undefined;

function prometheus(): PrometheusDriver {
  const url = process.env.PROMETHEUS_URL || DEFAULT_PROMETHEUS_URL;
  if (driver?.url !== url)
    driver = { url, driver: new PrometheusDriver({ endpoint: url, baseURL: '/api/v1', timeout: 5_000 }) };
  return driver.driver;
}

export async function instantQuery(query: string): Promise<QueryResult> {
  try {
    const res = await prometheus().instantQuery(query);
    const samples: Sample[] = (
      res.result as Array<{ metric: { labels: object }; value: { value: number } }>
    ).map((r) => ({ labels: r.metric.labels as Record<string, string>, value: Number(r.value.value) }));
    return { ok: true, samples };
  } catch (err) {
    const e = err as { message?: unknown; error?: unknown } | null;
    const message =
      typeof e?.message === 'string' ? e.message : typeof e?.error === 'string' ? e.error : String(err);
    return { ok: false, message: `Prometheus did not answer: ${message}` };
  }
}
