// Security policy (Kiali's `securityPolicy` appender): the share of each edge's requests that used mutual
// TLS, from the destination-reported series — the only ones that know — whichever reporter was chosen;
// and the principals (SPIFFE ids) of the two sides, which those series carry.
import { routeOf, type TrafficMap } from '../traffic-map';

export function appendSecurityPolicy(map: TrafficMap): void {
  for (const s of map.series) {
    if (s.reporter !== 'destination' || s.mtls === undefined) continue;
    for (const id of routeOf(map, s).edgeIds) {
      const e = map.edges.get(id);
      if (!e) continue;
      e.mtls.all += s.rps;
      if (s.mtls) e.mtls.yes += s.rps;
      // One identity per workload: the first one seen names the side (Kiali keeps one as well).
      e.principals.source ??= s.sourcePrincipal;
      e.principals.dest ??= s.destPrincipal;
    }
  }
}
