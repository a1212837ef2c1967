// An item's traffic peers (Kiali's Traffic tab): who calls it and whom it calls, each with its request
// rate, error share, p95 and health, from the mesh-wide request series (one reporter per caller) and a
// per-peer latency answer. Pure.
import { addRate, emptyRates, errorRate, type HealthThresholds, healthOf } from '../graph/health';
import { chooseReporters, type RequestSeries, type Sample, toRequestSeries } from '../graph/series';
import { serviceName } from './build-inventory';
import type { Direction, ItemRef } from './promql';
import type { Health, ItemKind, RateBreakdown } from './types';

export interface Peer {
  /** Where the peer's detail page is; undefined for traffic from outside the mesh or an unplaced host. */
  kind?: ItemKind;
  namespace?: string;
  name: string;
  rates: RateBreakdown;
  rps: number;
  /** 0..1 */
  errorRate: number;
  /** ms, over 2xx responses; undefined when not known. */
  p95?: number;
  health: Health;
}

export interface Peers {
  inbound: Peer[];
  outbound: Peer[];
}

function isItem(item: ItemRef, side: RequestSeries['source']): boolean {
  if (!side || side.namespace !== item.namespace) return false;
  return item.kind === 'workloads' ? side.workload === item.name : side.app === item.name;
}

/** The series in one direction of the item, and the peer each one is with. */
function peerOf(
  item: ItemRef,
  direction: Direction,
  s: RequestSeries,
): Omit<Peer, 'rates' | 'rps' | 'errorRate' | 'health'> | undefined {
  const into =
    item.kind === 'services' ? s.destination.service === item.host : isItem(item, s.destination.workload);
  if (direction === 'inbound') {
    if (!into) return undefined;
    return s.source
      ? { kind: 'workloads', namespace: s.source.namespace, name: s.source.workload }
      : { name: 'unknown (outside the mesh)' };
  }
  if (item.kind === 'services') {
    const w = s.destination.workload;
    if (!into) return undefined;
    return w
      ? { kind: 'workloads', namespace: w.namespace, name: w.workload }
      : { name: 'no workload (failed before one answered)' };
  }
  if (!isItem(item, s.source)) return undefined;
  const host = s.destination.service ?? 'unknown';
  const ns = s.destination.serviceNamespace;
  return ns ? { kind: 'services', namespace: ns, name: serviceName(host, ns) } : { name: host };
}

/** Keys peers by their identity, as `latencyByPeer` keys the latency answer. */
export function peerKey(p: Pick<Peer, 'namespace' | 'name'>): string {
  return `${p.namespace ?? ''}/${p.name}`;
}

/**
 * p95 per peer from `peerLatencyQuery`'s answer: the source-reported value where the caller reports,
 * else the destination-reported one (as for rates).
 */
export function latencyByPeer(
  item: ItemRef,
  direction: Direction,
  samples: readonly Sample[],
): Map<string, number> {
  const out = new Map<string, { v: number; reporter: string }>();
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    const l = s.labels;
    let k: string;
    if (direction === 'inbound')
      k =
        l.source_workload && l.source_workload !== 'unknown'
          ? `${l.source_workload_namespace}/${l.source_workload}`
          : '/unknown (outside the mesh)';
    else if (item.kind === 'services') k = `${l.destination_workload_namespace}/${l.destination_workload}`;
    else {
      const host = l.destination_service ?? 'unknown';
      const m = /^([^.]+)\.([^.]+)\.svc\./.exec(host);
      k = m ? `${m[2]}/${m[1]}` : `/${host}`;
    }
    const had = out.get(k);
    if (!had || (had.reporter !== 'source' && l.reporter === 'source'))
      out.set(k, { v: s.value, reporter: l.reporter ?? '' });
  }
  return new Map([...out].map(([k, { v }]) => [k, v]));
}

export function peersOf(
  item: ItemRef,
  samples: readonly Sample[],
  thresholds: HealthThresholds,
  latency: { inbound: Map<string, number>; outbound: Map<string, number> } = {
    inbound: new Map(),
    outbound: new Map(),
  },
): Peers {
  const chosen = chooseReporters(samples.flatMap((s) => toRequestSeries(s) ?? [])).chosen;
  const side = (direction: Direction): Peer[] => {
    const acc = new Map<string, Omit<Peer, 'rps' | 'errorRate' | 'health'>>();
    for (const s of chosen) {
      const p = peerOf(item, direction, s);
      if (!p) continue;
      const k = peerKey(p);
      const peer = acc.get(k) ?? { ...p, rates: emptyRates() };
      addRate(peer.rates, s.code, s.rps, s.grpcStatus);
      acc.set(k, peer);
    }
    return [...acc.entries()]
      .map(([k, p]) => ({
        ...p,
        rps: p.rates.total,
        errorRate: errorRate(p.rates),
        health: healthOf(p.rates, thresholds),
        ...(latency[direction].has(k) ? { p95: latency[direction].get(k) } : {}),
      }))
      .sort((a, b) => b.rps - a.rps || a.name.localeCompare(b.name));
  };
  return { inbound: side('inbound'), outbound: side('outbound') };
}
