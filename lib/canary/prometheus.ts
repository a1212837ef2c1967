// Instant PromQL queries for the canary panel, through the dashboard's shared Prometheus client
// (`PROMETHEUS_URL`, never a URL from a request). Failures are values in words.
import 'server-only';
import { prometheus } from '../prometheus/server';
import type { Sample } from './observed';

export type QueryResult = { ok: true; samples: Sample[] } | { ok: false; message: string };

export async function instantQuery(query: string): Promise<QueryResult> {
  const res = await prometheus().instant(query, Date.now() / 1000);
  return res.ok ? { ok: true, samples: res.value } : { ok: false, message: res.error.message };
}
