// Security policy (Kiali's `securityPolicy` appender): the share of each edge's requests that used mutual
// TLS, from the destination-reported series — the only ones that know — whichever reporter was chosen;
// and the principals (SPIFFE ids) of the two sides, which those series carry.
import type { Route, TrafficMap } from '../traffic-map';

export function appendSecurityPolicy(map: TrafficMap): void {
  for (let i = 0; i < map.series.length; i++) {
    const s = map.series[i] as TrafficMap['series'][number];
    if (s.reporter !== 'destination' || s.mtls === undefined) continue;
    const rps = map.rates[i] as number;
    for (const id of (map.routes[i] as Route).edgeIds) {
      const e = map.edges.get(id);
      if (!e) continue;
      e.mtls.all += rps;
      if (s.mtls) e.mtls.yes += rps;
      // One identity per workload: the first one seen names the side (Kiali keeps one as well).
      e.principals.source ??= s.sourcePrincipal;
      e.principals.dest ??= s.destPrincipal;
    }
  }
}
