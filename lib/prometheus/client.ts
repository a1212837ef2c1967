// A thin Prometheus HTTP API client on `prometheus-query`: instant and range queries whose failures are
// typed values (unreachable, timeout, bad query), never exceptions. The base URL comes from the
// operator's configuration only — never from a request.
import { PrometheusDriver, type QueryResult } from 'prometheus-query';
import type { Sample } from '../graph/series';

export const DEFAULT_PROMETHEUS_URL = 'http://127.0.0.1:9090';
const DEFAULT_TIMEOUT_MS = 10_000;

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

export interface PromClient {
  readonly baseUrl: string;
  /** Instant query at `timeSec` (Unix seconds). */
  instant(query: string, timeSec: number): Promise<PromResult<Sample[]>>;
  range(query: string, startSec: number, endSec: number, stepSec: number): Promise<PromResult<RangeSeries[]>>;
}

export interface ClientOptions {
  baseUrl: string;
  timeoutMs?: number;
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

function samplesOf(r: QueryResult): Sample[] {
  if (r.resultType !== 'vector') return [];
  return (r.result as { metric: { labels: Record<string, string> }; value: { value: number } }[]).map(
    (v) => ({
      labels: { ...v.metric.labels },
      value: v.value.value,
    }),
  );
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
  const driver = new PrometheusDriver({
    endpoint: baseUrl,
    baseURL: '/api/v1/',
    // Graph queries are long; POST keeps them out of URL length limits.
    preferPost: true,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  return {
    baseUrl,
    async instant(query, timeSec) {
      try {
        return { ok: true, value: samplesOf(await driver.instantQuery(query, new Date(timeSec * 1000))) };
      } catch (err) {
        return { ok: false, error: toPromError(err, baseUrl) };
      }
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
