// The graph API's query parameters (Kiali's names), validated before anything reaches PromQL.
import { z } from 'zod';
import { GRAPH_TYPES, type GraphType } from './types';

/** Kubernetes namespace names: DNS-1123 labels. Anything else never reaches a query. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_NAMESPACES = 64;
export const MIN_DURATION_S = 15;
export const MAX_DURATION_S = 24 * 3600;
const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `60s`, `5m`, `1h` → seconds; undefined for anything else. */
export function parseDurationSeconds(text: string): number | undefined {
  const m = /^(\d{1,6})([smhd])$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * (UNIT_S[m[2] as string] as number);
}

const namespaces = z
  .string()
  .optional()
  .transform((s, ctx) => {
    const list = (s ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '');
    const bad = list.find((n) => n.length > 63 || !NAMESPACE.test(n));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `"${bad.slice(0, 70)}" is not a namespace name` });
      return z.NEVER;
    }
    if (list.length > MAX_NAMESPACES) {
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_NAMESPACES} namespaces` });
      return z.NEVER;
    }
    return [...new Set(list)].sort();
  });

const duration = z
  .string()
  .optional()
  .transform((s, ctx) => {
    if (s === undefined || s === '') return 60;
    const secs = parseDurationSeconds(s);
    if (secs === undefined || secs < MIN_DURATION_S || secs > MAX_DURATION_S) {
      ctx.addIssue({ code: 'custom', message: 'must be a duration like 60s, 5m or 1h, between 15s and 1d' });
      return z.NEVER;
    }
    return secs;
  });

const queryTime = z
  .string()
  .optional()
  .transform((s, ctx) => {
    if (s === undefined || s === '') return undefined;
    if (!/^\d{1,12}(\.\d{1,3})?$/.test(s)) {
      ctx.addIssue({ code: 'custom', message: 'must be a Unix time in seconds' });
      return z.NEVER;
    }
    return Math.floor(Number(s));
  });

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true'));

/** Kiali's `rateGrpc` values. */
export const GRPC_RATES = ['requests', 'sent', 'received', 'total'] as const;
export type GrpcRate = (typeof GRPC_RATES)[number];

export const GraphParamsSchema = z.object({
  namespaces,
  graphType: z.enum(GRAPH_TYPES).optional().default('versionedApp'),
  duration,
  queryTime,
  injectServiceNodes: bool(true),
  includeIdleEdges: bool(false),
  latency: bool(true),
  rateGrpc: z.enum(GRPC_RATES).optional().default('requests'),
});

export interface GraphParams {
  /** Sorted, unique; empty means every namespace. */
  namespaces: string[];
  graphType: GraphType;
  /** Seconds. */
  duration: number;
  /** Unix seconds; undefined means now. */
  queryTime?: number;
  injectServiceNodes: boolean;
  /** Keep series with no requests in the window (Kiali's idle edges); off by default. */
  includeIdleEdges: boolean;
  /**
   * Read latency (p50/p95/p99) too. The page asks first without it — the bucket query is most of the
   * cost at scale — to draw the topology at once, then fills latency in.
   */
  latency: boolean;
  /**
   * Kiali's gRPC rate: calls (`requests`, with their statuses), or messages (`sent`: requests',
   * `received`: responses', `total`: both) — streams counted by message, without codes.
   */
  rateGrpc?: GrpcRate;
}

export type ParamsResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Reads the graph parameters from a URL's search params. */
export function parseGraphParams(search: URLSearchParams): ParamsResult<GraphParams> {
  const raw = Object.fromEntries(
    [
      'namespaces',
      'graphType',
      'duration',
      'queryTime',
      'injectServiceNodes',
      'includeIdleEdges',
      'latency',
      'rateGrpc',
    ].flatMap((k) => {
      const v = search.get(k);
      return v === null ? [] : [[k, v]];
    }),
  );
  const r = GraphParamsSchema.safeParse(raw);
  if (!r.success) {
    return {
      ok: false,
      message: r.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '),
    };
  }
  return { ok: true, value: r.data };
}

/** Seconds → the PromQL range (`60s`). */
export function promDuration(seconds: number): string {
  return `${Math.round(seconds)}s`;
}
