// Badges from the mesh config: VirtualService routes (canary weights, retries, fault injection) and
// DestinationRule traffic policies (outlier detection, connection pool = circuit breaker), per host.
import type {
  DestinationRule,
  PeerAuthentication,
  ServiceEntry,
  Sidecar,
  TrafficPolicy,
  VirtualService,
  WorkloadEntry,
} from '../mesh-config/schema';
import { qualifyHost } from '../mesh-config/validate';
import type { Badges, CircuitBreakerBadge } from './types';

export interface MeshConfigView {
  virtualServices: readonly VirtualService[];
  destinationRules: readonly DestinationRule[];
  serviceEntries: readonly ServiceEntry[];
  /** Read for the mTLS appender; absent where a caller builds a view without them. */
  peerAuthentications?: readonly PeerAuthentication[];
  /** Read for the node panel's egress scope. */
  sidecars?: readonly Sidecar[];
  /** Registered gateway workloads (WorkloadEntries with Istio's `istio` label): the egress appender's. */
  gatewayWorkloads?: readonly WorkloadEntry[];
}

export interface HostConfig {
  hasVS: boolean;
  hasCB: boolean;
  badges: Badges;
}

/** Config badges per fully qualified host. */
export function configBadges(cfg: MeshConfigView): Map<string, HostConfig> {
  const out = new Map<string, HostConfig>();
  const at = (host: string): HostConfig => {
    let h = out.get(host);
    if (!h) {
      h = { hasVS: false, hasCB: false, badges: {} };
      out.set(host, h);
    }
    return h;
  };
  for (const vs of cfg.virtualServices) {
    const ns = vs.metadata.namespace ?? 'default';
    for (const rawHost of vs.spec.hosts) {
      const host = qualifyHost(rawHost, ns);
      const h = at(host);
      h.hasVS = true;
      for (const route of vs.spec.http ?? []) {
        if (!h.badges.canary && route.route.length > 1) {
          h.badges.canary = {
            host,
            weights: route.route.map((d) => ({
              host: qualifyHost(d.destination.host, ns),
              ...(d.destination.subset ? { subset: d.destination.subset } : {}),
              weight: d.weight ?? 0,
            })),
          };
        }
        if (!h.badges.retries && route.retries && route.retries.attempts > 0) {
          const r = route.retries;
          h.badges.retries = {
            attempts: r.attempts,
            ...(r.perTryTimeout ? { perTryTimeout: r.perTryTimeout } : {}),
            ...(r.retryOn ? { retryOn: r.retryOn } : {}),
          };
        }
        if (!h.badges.fault && route.fault && (route.fault.delay || route.fault.abort)) {
          const f = route.fault;
          h.badges.fault = {
            ...(f.delay
              ? { delayPercent: f.delay.percentage?.value ?? 100, fixedDelay: f.delay.fixedDelay }
              : {}),
            ...(f.abort
              ? { abortPercent: f.abort.percentage?.value ?? 100, abortHttpStatus: f.abort.httpStatus }
              : {}),
          };
        }
      }
    }
  }
  for (const dr of cfg.destinationRules) {
    const host = qualifyHost(dr.spec.host, dr.metadata.namespace ?? 'default');
    const cb =
      circuitBreaker(dr.spec.trafficPolicy) ??
      dr.spec.subsets?.map((s) => circuitBreaker(s.trafficPolicy)).find((c) => c !== undefined);
    if (cb) {
      const h = at(host);
      h.hasCB = true;
      h.badges.circuitBreaker = cb;
    }
  }
  return out;
}

function circuitBreaker(p: TrafficPolicy | undefined): CircuitBreakerBadge | undefined {
  if (!p?.outlierDetection && !p?.connectionPool) return undefined;
  const od = p.outlierDetection;
  const cp = p.connectionPool;
  return {
    ...(od
      ? {
          outlierDetection: {
            consecutive5xxErrors: od.consecutive5xxErrors,
            consecutiveGatewayErrors: od.consecutiveGatewayErrors,
            interval: od.interval,
            baseEjectionTime: od.baseEjectionTime,
            maxEjectionPercent: od.maxEjectionPercent,
          },
        }
      : {}),
    ...(cp
      ? {
          connectionPool: {
            maxConnections: cp.tcp?.maxConnections,
            http1MaxPendingRequests: cp.http?.http1MaxPendingRequests,
            maxRequestsPerConnection: cp.http?.maxRequestsPerConnection,
          },
        }
      : {}),
  };
}

/** ServiceEntry hosts with their location (MESH_EXTERNAL unless declared otherwise). */
export function serviceEntryLocations(
  entries: readonly ServiceEntry[],
): Map<string, 'MESH_EXTERNAL' | 'MESH_INTERNAL'> {
  const out = new Map<string, 'MESH_EXTERNAL' | 'MESH_INTERNAL'>();
  for (const se of entries) {
    for (const h of se.spec.hosts)
      out.set(qualifyHost(h, se.metadata.namespace ?? 'default'), se.spec.location ?? 'MESH_EXTERNAL');
  }
  return out;
}
