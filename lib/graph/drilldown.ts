// The drilldown of a node or an edge: time series from range queries, folded into what the side panel
// draws. Envoy stats and endpoint gauges absent (a real Istio mesh) → `reported: false`.
import type { PromClient, PromError, RangeSeries } from '../prometheus/client';
import {
  edgeSelection,
  envoyQueries,
  latencyQuery,
  nodeInbound,
  outboundQuery,
  requestsByCodeQuery,
  type Selection,
  tcpQueries,
} from './drilldown-queries';
import { parseClusterName } from './envoy-stats';
import { isHost, type NodeRef, parseNodeId } from './node-id';
import { parseDurationSeconds, promDuration } from './params';
import { grpcStatusName } from './response-flags';

/** [unix seconds, value] */
export type Points = [number, number][];
export interface NamedSeries {
  name: string;
  points: Points;
}
export type Reported<T> = { reported: false } | ({ reported: true } & T);

export interface EndpointState {
  endpoint: string;
  subset?: string;
  ejected: boolean;
  healthy?: boolean;
  timesEjected?: number;
  activeRequests?: number;
}

export interface Drilldown {
  start: number;
  end: number;
  step: number;
  requests: {
    total: Points;
    errors: Points;
    errorRate: Points;
    byCode: NamedSeries[];
    byFlags: NamedSeries[];
  };
  outbound?: Points;
  /** TCP throughput (bytes/s each way) and connections (opened, closed per second); absent without TCP. */
  tcp?: { sent: Points; received: Points; opened: Points; closed: Points };
  latency: { p50: Points; p95: Points; p99: Points };
  host?: string;
  retries: Reported<{ attempted: Points; succeeded: Points; overflow: Points; exhausted: Points }>;
  ejections: Reported<{ active: Points; enforced: Points }>;
  endpoints: Reported<{ list: EndpointState[]; ejected: NamedSeries[] }>;
}

export interface DrilldownParams {
  target: { kind: 'node'; node: NodeRef } | { kind: 'edge'; source: NodeRef; target: NodeRef };
  /** Service host whose Envoy stats to read (defaults to the node's or the edge target's service). */
  host?: string;
  /** Rate window, seconds. */
  duration: number;
  /** Chart span, seconds. */
  range: number;
  queryTime?: number;
}

const MAX_POINTS = 240;
const MIN_STEP_S = 5;

export function parseDrilldownParams(
  kind: 'node' | 'edge',
  q: URLSearchParams,
): { ok: true; value: DrilldownParams } | { ok: false; message: string } {
  const duration = parseDurationSeconds(q.get('duration') || '60s');
  const range = parseDurationSeconds(q.get('range') || '30m');
  if (duration === undefined || duration < 15 || duration > 86400)
    return { ok: false, message: 'duration: must be like 60s, 5m, 1h (15s–1d)' };
  if (range === undefined || range < 60 || range > 7 * 86400)
    return { ok: false, message: 'range: must be like 10m, 1h (1m–7d)' };
  const qt = q.get('queryTime');
  if (qt !== null && qt !== '' && !/^\d{1,12}$/.test(qt))
    return { ok: false, message: 'queryTime: must be a Unix time in seconds' };
  const host = q.get('host') || undefined;
  if (host !== undefined && !isHost(host)) return { ok: false, message: 'host: must be a DNS name' };
  const base = { host, duration, range, queryTime: qt ? Number(qt) : undefined };
  if (kind === 'node') {
    const node = parseNodeId(q.get('id') ?? '');
    if (!node || node.kind === 'unknown') return { ok: false, message: 'id: must name a node of the graph' };
    return { ok: true, value: { ...base, target: { kind: 'node', node } } };
  }
  const source = parseNodeId(q.get('source') ?? '');
  const target = parseNodeId(q.get('target') ?? '');
  if (!source || !target || target.kind === 'unknown')
    return { ok: false, message: 'source, target: must name nodes of the graph' };
  return { ok: true, value: { ...base, target: { kind: 'edge', source, target } } };
}

/** The service host whose Envoy clusters describe this node or edge. */
export function hostOf(p: DrilldownParams): string | undefined {
  if (p.host) return p.host;
  const n = p.target.kind === 'node' ? p.target.node : p.target.target;
  if (n.kind === 'service') return n.host;
  if (p.target.kind === 'edge' && p.target.source.kind === 'service') return p.target.source.host;
  return undefined;
}

export async function buildDrilldown(
  p: DrilldownParams,
  prom: PromClient,
  now: () => number = () => Date.now() / 1000,
): Promise<{ ok: true; value: Drilldown } | { ok: false; error: PromError }> {
  const end = p.queryTime ?? Math.floor(now());
  const start = end - p.range;
  const step = Math.max(MIN_STEP_S, Math.ceil(p.range / MAX_POINTS));
  const w = promDuration(p.duration);
  const sel: Selection =
    p.target.kind === 'node' ? nodeInbound(p.target.node) : edgeSelection(p.target.source, p.target.target);
  const range = (q: string) => prom.range(q, start, end, step);

  const [byCode, p50, p95, p99, outbound] = await Promise.all([
    range(requestsByCodeQuery(sel, w)),
    range(latencyQuery(0.5, sel, w)),
    range(latencyQuery(0.95, sel, w)),
    range(latencyQuery(0.99, sel, w)),
    p.target.kind === 'node' && p.target.node.kind !== 'service'
      ? range(outboundQuery(p.target.node, w))
      : Promise.resolve(undefined),
  ]);
  if (!byCode.ok) return { ok: false, error: byCode.error };
  const tcp = await readTcp(tcpQueries(sel, w), range);

  const host = hostOf(p);
  const caller =
    p.target.kind === 'edge' && p.target.source.kind === 'workload'
      ? { namespace: p.target.source.namespace, workload: p.target.source.workload }
      : undefined;
  const envoy = host ? await fetchEnvoy(prom, envoyQueries(host, w, caller), start, end, step) : undefined;

  const single = (r: { ok: true; value: RangeSeries[] } | { ok: false } | undefined): Points =>
    r?.ok ? (r.value[0]?.points ?? []) : [];
  return {
    ok: true,
    value: {
      start,
      end,
      step,
      requests: foldRequests(byCode.value),
      ...(outbound ? { outbound: single(outbound) } : {}),
      ...(tcp ? { tcp } : {}),
      latency: { p50: finite(single(p50)), p95: finite(single(p95)), p99: finite(single(p99)) },
      ...(host ? { host } : {}),
      retries: envoy?.retries ?? { reported: false },
      ejections: envoy?.ejections ?? { reported: false },
      endpoints: envoy?.endpoints ?? { reported: false },
    },
  };
}

/** The TCP series, or undefined when the element carries no TCP (every answer empty or failed). */
async function readTcp(
  q: ReturnType<typeof tcpQueries>,
  range: (q: string) => Promise<{ ok: true; value: RangeSeries[] } | { ok: false; error: PromError }>,
): Promise<Drilldown['tcp']> {
  const [sent, received, opened, closed] = await Promise.all([
    range(q.sent),
    range(q.received),
    range(q.opened),
    range(q.closed),
  ]);
  const pts = (r: typeof sent): Points => (r.ok ? finite(r.value[0]?.points ?? []) : []);
  const tcp = { sent: pts(sent), received: pts(received), opened: pts(opened), closed: pts(closed) };
  return Object.values(tcp).some((p) => p.length > 0) ? tcp : undefined;
}

type EnvoyQ = ReturnType<typeof envoyQueries>;

async function fetchEnvoy(prom: PromClient, q: EnvoyQ, start: number, end: number, step: number) {
  const keys = Object.keys(q) as (keyof EnvoyQ)[];
  const answers = await Promise.all(
    keys.map((k) =>
      k.startsWith('endpoint') && k !== 'endpointEjected'
        ? prom.instant(q[k], end)
        : prom.range(q[k], start, end, step),
    ),
  );
  const got = Object.fromEntries(keys.map((k, i) => [k, answers[i]])) as Record<
    keyof EnvoyQ,
    (typeof answers)[number]
  >;
  const rangeOf = (k: keyof EnvoyQ): RangeSeries[] | undefined => {
    const r = got[k];
    return r?.ok && r.value.length > 0 && 'points' in (r.value[0] as object)
      ? (r.value as RangeSeries[])
      : undefined;
  };
  const pts = (k: keyof EnvoyQ): Points => rangeOf(k)?.[0]?.points ?? [];
  const retries: Drilldown['retries'] = rangeOf('retryAttempted')
    ? {
        reported: true,
        attempted: pts('retryAttempted'),
        succeeded: pts('retrySucceeded'),
        overflow: pts('retryOverflow'),
        exhausted: pts('retryExhausted'),
      }
    : { reported: false };
  const ejections: Drilldown['ejections'] = rangeOf('ejectionsActive')
    ? { reported: true, active: pts('ejectionsActive'), enforced: pts('ejectionsEnforced') }
    : { reported: false };
  const ejectedSeries = rangeOf('endpointEjected');
  const instant = (k: keyof EnvoyQ) => {
    const r = got[k];
    return r?.ok ? (r.value as { labels: Record<string, string>; value: number }[]) : [];
  };
  const endpoints: Drilldown['endpoints'] = ejectedSeries
    ? {
        reported: true,
        list: endpointStates(
          ejectedSeries,
          instant('endpointHealthy'),
          instant('endpointTimesEjected'),
          instant('endpointActive'),
        ),
        ejected: ejectionSeries(ejectedSeries),
      }
    : { reported: false };
  return { retries, ejections, endpoints };
}

type InstantSample = { labels: Record<string, string>; value: number };

/**
 * Each endpoint's state now, one row per endpoint address: the same endpoint sits in the service's
 * cluster and in its subset's cluster, each with its own outlier detector — ejected if either has
 * ejected it (at the last point), healthy only if both say so, ejections and requests summed.
 */
export function endpointStates(
  ejected: readonly RangeSeries[],
  healthy: readonly InstantSample[],
  times: readonly InstantSample[],
  active: readonly InstantSample[],
): EndpointState[] {
  const rows = new Map<string, EndpointState>();
  const row = (l: Record<string, string>): EndpointState => {
    const endpoint = l.endpoint ?? '?';
    let r = rows.get(endpoint);
    if (!r) {
      r = { endpoint, ejected: false };
      rows.set(endpoint, r);
    }
    const subset = parseClusterName(l.cluster_name)?.subset;
    if (subset && !r.subset) r.subset = subset;
    return r;
  };
  for (const s of ejected) {
    const r = row(s.labels);
    if ((s.points[s.points.length - 1]?.[1] ?? 0) > 0) r.ejected = true;
  }
  for (const h of healthy) {
    if (!rows.has(h.labels.endpoint ?? '?')) continue;
    const r = row(h.labels);
    r.healthy = (r.healthy ?? true) && h.value > 0;
  }
  for (const t of times) {
    if (!rows.has(t.labels.endpoint ?? '?')) continue;
    const r = row(t.labels);
    r.timesEjected = (r.timesEjected ?? 0) + t.value;
  }
  for (const a of active) {
    if (!rows.has(a.labels.endpoint ?? '?')) continue;
    const r = row(a.labels);
    r.activeRequests = (r.activeRequests ?? 0) + a.value;
  }
  return [...rows.values()].sort((a, b) => a.endpoint.localeCompare(b.endpoint));
}

/** One ejection-state series per endpoint (1 while any of its clusters has it ejected). */
export function ejectionSeries(ejected: readonly RangeSeries[]): NamedSeries[] {
  const by = new Map<string, { subset?: string; points: Map<number, number> }>();
  for (const s of ejected) {
    const endpoint = s.labels.endpoint ?? '?';
    let e = by.get(endpoint);
    if (!e) {
      e = { points: new Map() };
      by.set(endpoint, e);
    }
    e.subset ??= parseClusterName(s.labels.cluster_name)?.subset;
    for (const [t, v] of s.points) e.points.set(t, Math.max(e.points.get(t) ?? 0, v));
  }
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([endpoint, e]) => ({
      name: e.subset ? `${endpoint} (${e.subset})` : endpoint,
      points: [...e.points.entries()].sort((a, b) => a[0] - b[0]),
    }));
}

/**
 * A series' outcome as Kiali names it: the HTTP code; for gRPC the status in words (`14 UNAVAILABLE`)
 * unless the HTTP code is 4xx/5xx or there was no response. Errors: no response, 4xx, 5xx, gRPC ≠ 0.
 */
export function outcomeOf(labels: Record<string, string>): { code: string; isError: boolean } {
  const http = labels.response_code || '0';
  const httpError = http === '0' || http.startsWith('4') || http.startsWith('5');
  const status = labels.grpc_response_status;
  if (labels.request_protocol !== 'grpc' || httpError || !status) return { code: http, isError: httpError };
  const name = grpcStatusName(status);
  return { code: name ? `${status} ${name}` : status, isError: status !== '0' };
}

/** Totals, errors and error share per timestamp from the by-code/flags series. */
export function foldRequests(series: readonly RangeSeries[]): Drilldown['requests'] {
  const total = new Map<number, number>();
  const errors = new Map<number, number>();
  const byCode = new Map<string, Map<number, number>>();
  const byFlags: NamedSeries[] = [];
  for (const s of series) {
    const { code, isError } = outcomeOf(s.labels);
    const flags = s.labels.response_flags || '-';
    let c = byCode.get(code);
    if (!c) {
      c = new Map();
      byCode.set(code, c);
    }
    for (const [t, v] of s.points) {
      if (!Number.isFinite(v)) continue;
      total.set(t, (total.get(t) ?? 0) + v);
      if (isError) errors.set(t, (errors.get(t) ?? 0) + v);
      c.set(t, (c.get(t) ?? 0) + v);
    }
    if (flags !== '-') byFlags.push({ name: `${code} ${flags}`, points: s.points });
  }
  const times = [...total.keys()].sort((a, b) => a - b);
  const pointsOf = (m: Map<number, number>): Points => times.map((t) => [t, m.get(t) ?? 0]);
  return {
    total: pointsOf(total),
    errors: pointsOf(errors),
    errorRate: times.map((t) => {
      const tot = total.get(t) ?? 0;
      return [t, tot > 0 ? (errors.get(t) ?? 0) / tot : 0];
    }),
    byCode: [...byCode.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, m]) => ({ name, points: pointsOf(m) })),
    byFlags,
  };
}

function finite(p: Points): Points {
  return p.filter(([, v]) => Number.isFinite(v));
}
