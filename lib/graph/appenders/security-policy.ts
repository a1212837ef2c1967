// Security policy (Kiali's `securityPolicy` appender): the share of each edge's requests that used mutual
// TLS, from the destination-reported series — the only ones that know — whichever reporter was chosen;
// and the principals (SPIFFE ids) of the two sides, which those series carry.
import { type Route, type TrafficEdge, type TrafficMap, walkOf } from '../traffic-map';

/**
 * Per walk program (the same series along the same routes: `walkOf`): the series that count, and the places of
 * their routes' edges in the walk's order (`edges[at[k]]` to `edges[at[k + 1]]`), found once for every walk of it.
 */
interface Placed {
  series: Int32Array;
  at: Int32Array;
  edges: Int32Array;
}
const placedBy = new WeakMap<object, Placed>();

export function appendSecurityPolicy(map: TrafficMap): void {
  const walk = walkOf(map);
  if (walk === undefined || walk.edges.length !== map.edges.size) {
    for (let i = 0; i < map.series.length; i++) {
      const s = map.series[i] as TrafficMap['series'][number];
      if (s.reporter !== 'destination' || s.mtls === undefined) continue;
      for (const id of (map.routes[i] as Route).edgeIds) {
        const e = map.edges.get(id);
        if (e) add(e, s, map.rates[i] as number);
      }
    }
    return;
  }
  let placed = placedBy.get(walk.program);
  if (placed === undefined) {
    placed = place(map, walk.edges);
    placedBy.set(walk.program, placed);
  }
  const { series, at, edges } = placed;
  for (let k = 0; k < series.length; k++) {
    const i = series[k] as number;
    const s = map.series[i] as TrafficMap['series'][number];
    const rps = map.rates[i] as number;
    for (let j = at[k] as number; j < (at[k + 1] as number); j++)
      add(walk.edges[edges[j] as number] as TrafficEdge, s, rps);
  }
}

function add(e: TrafficEdge, s: TrafficMap['series'][number], rps: number): void {
  e.mtls.all += rps;
  if (s.mtls) e.mtls.yes += rps;
  // One identity per workload: the first one seen names the side (Kiali keeps one as well).
  e.principals.source ??= s.sourcePrincipal;
  e.principals.dest ??= s.destPrincipal;
}

function place(map: TrafficMap, walked: readonly TrafficEdge[]): Placed {
  const index = new Map<TrafficEdge, number>();
  for (let j = 0; j < walked.length; j++) index.set(walked[j] as TrafficEdge, j);
  const series: number[] = [];
  const at: number[] = [0];
  const edges: number[] = [];
  for (let i = 0; i < map.series.length; i++) {
    const s = map.series[i] as TrafficMap['series'][number];
    if (s.reporter !== 'destination' || s.mtls === undefined) continue;
    for (const id of (map.routes[i] as Route).edgeIds) {
      const e = map.edges.get(id);
      if (e) edges.push(index.get(e) as number);
    }
    series.push(i);
    at.push(edges.length);
  }
  return { series: Int32Array.from(series), at: Int32Array.from(at), edges: Int32Array.from(edges) };
}
