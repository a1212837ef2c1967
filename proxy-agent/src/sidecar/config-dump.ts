// /config_dump?resource=routes|clusters|listeners: the compiled config in Envoy's admin shapes
// (RoutesConfigDump, ClustersConfigDump, ListenersConfigDump), what `istioctl proxy-config` reads.
import type { ClusterConfig, MeshModel, RouteConfig, RouteDestination, ServiceConfig } from './mesh-model';
import type { EffectiveMtls } from './peer-authentication';
import { On } from './retry';
import type { RequestMatcher, StringMatcher } from './route-table';

export const CONFIG_DUMP_RESOURCES = ['routes', 'clusters', 'listeners'] as const;
export type ConfigDumpResource = (typeof CONFIG_DUMP_RESOURCES)[number];

const TYPE = 'type.googleapis.com/envoy.admin.v3';

/** Where this sidecar listens, and what its inbound side enforces. */
export interface ListenerFacts {
  host: string;
  inboundPort: number | undefined;
  outboundPort: number | undefined;
  appPort: number;
  mtlsMode: EffectiveMtls;
}

const RETRY_ON_NAMES: ReadonlyArray<readonly [number, string]> = [
  [On.FIVE_XX, '5xx'],
  [On.GATEWAY_ERROR, 'gateway-error'],
  [On.CONNECT_FAILURE, 'connect-failure'],
  [On.RESET, 'reset'],
  [On.RETRIABLE_4XX, 'retriable-4xx'],
  [On.RETRIABLE_STATUS_CODES, 'retriable-status-codes'],
  [On.REFUSED_STREAM, 'refused-stream'],
  [On.CANCELLED, 'cancelled'],
  [On.DEADLINE_EXCEEDED, 'deadline-exceeded'],
  [On.INTERNAL, 'internal'],
  [On.RESOURCE_EXHAUSTED, 'resource-exhausted'],
  [On.UNAVAILABLE, 'unavailable'],
];

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

function stringMatch(m: StringMatcher): Record<string, unknown> {
  if (m.kind === 0) return { exact: m.value };
  if (m.kind === 1) return { prefix: m.value };
  return { safe_regex: { regex: m.value } };
}

/** Envoy's RouteMatch: the URI as path/prefix/safe_regex, the method as a `:method` header. */
function routeMatch(m: RequestMatcher | undefined): Record<string, unknown> {
  if (m === undefined) return { prefix: '/' };
  const uri = m.uri;
  const out: Record<string, unknown> =
    uri === undefined
      ? { prefix: '/' }
      : uri.kind === 0
        ? { path: uri.value }
        : uri.kind === 1
          ? { prefix: uri.value }
          : { safe_regex: { regex: uri.value } };
  if (m.ignoreUriCase) out.case_sensitive = false;
  const headers = [
    ...(m.method ? [{ name: ':method', string_match: stringMatch(m.method) }] : []),
    ...m.headers.map(([name, sm]) => ({ name, string_match: stringMatch(sm) })),
  ];
  if (headers.length > 0) out.headers = headers;
  return out;
}

function clusterOf(d: RouteDestination, port: number): string {
  return (d.fixed ?? d.clusters.get(port) ?? d.defaultCluster).name;
}

function routeAction(r: RouteConfig, port: number): Record<string, unknown> {
  const weights = r.destinations.map(
    (_, i) => (r.cumulative[i] ?? 0) - (i > 0 ? (r.cumulative[i - 1] ?? 0) : 0),
  );
  const action: Record<string, unknown> =
    r.destinations.length === 1 && r.destinations[0]
      ? { cluster: clusterOf(r.destinations[0], port) }
      : {
          weighted_clusters: {
            clusters: r.destinations.map((d, i) => ({ name: clusterOf(d, port), weight: weights[i] ?? 0 })),
          },
        };
  action.timeout = seconds(r.timeoutMs);
  const on = RETRY_ON_NAMES.filter(([bit]) => (r.retry.on & bit) !== 0).map(([, name]) => name);
  action.retry_policy = {
    retry_on: on.join(','),
    num_retries: r.retry.retries,
    ...(r.retry.perTryTimeoutMs > 0 ? { per_try_timeout: seconds(r.retry.perTryTimeoutMs) } : {}),
    ...(r.retry.statusCodes.size > 0 ? { retriable_status_codes: [...r.retry.statusCodes] } : {}),
  };
  return action;
}

function routes(s: ServiceConfig, port: number) {
  return s.routes.flatMap((r) => {
    const matchers = r.matchers.length === 0 ? [undefined] : r.matchers;
    return matchers.map((m) => ({
      name: r.name || 'default',
      match: routeMatch(m),
      route: routeAction(r, port),
      ...(r.fault
        ? {
            typed_per_filter_config: {
              'envoy.filters.http.fault': {
                ...(r.fault.delayMs > 0
                  ? {
                      delay: {
                        fixed_delay: seconds(r.fault.delayMs),
                        percentage: r.fault.delayFraction * 100,
                      },
                    }
                  : {}),
                ...(r.fault.abortStatus > 0
                  ? { abort: { http_status: r.fault.abortStatus, percentage: r.fault.abortFraction * 100 } }
                  : {}),
              },
            },
          }
        : {}),
    }));
  });
}

/** One route config per service port (Envoy's RDS name is the port), a virtual host per service. */
export function routesDump(model: MeshModel) {
  const byPort = new Map<number, Record<string, unknown>[]>();
  for (const s of model.services.values()) {
    for (const p of s.ports) {
      if (p.protocol === 'tcp' || p.protocol === 'tls') continue;
      const list = byPort.get(p.number) ?? [];
      byPort.set(p.number, list);
      list.push({
        name: `${s.fqdn}:${p.number}`,
        domains: [
          s.fqdn,
          `${s.fqdn}:${p.number}`,
          ...(s.identity.serviceName !== s.fqdn ? [s.identity.serviceName] : []),
        ],
        routes: routes(s, p.number),
      });
    }
  }
  return {
    configs: [...byPort.entries()]
      .sort(([a], [b]) => a - b)
      .map(([port, virtual_hosts]) => ({
        '@type': `${TYPE}.RoutesConfigDump.DynamicRouteConfig`,
        version_info: model.resourceVersion ?? '',
        route_config: { name: String(port), virtual_hosts },
      })),
  };
}

function clusterDump(c: ClusterConfig) {
  const o = c.outlier;
  return {
    '@type': `${TYPE}.ClustersConfigDump.DynamicCluster`,
    cluster: {
      name: c.name,
      type: 'EDS',
      lb_policy: c.lb,
      connect_timeout: seconds(c.pool.connectTimeoutMs),
      circuit_breakers: {
        thresholds: [
          {
            max_connections: c.pool.maxConnections,
            max_pending_requests: c.pool.maxPending,
            max_retries: c.pool.maxRetries,
          },
        ],
      },
      ...(c.pool.maxRequestsPerConnection > 0
        ? { max_requests_per_connection: c.pool.maxRequestsPerConnection }
        : {}),
      ...(o
        ? {
            outlier_detection: {
              consecutive_5xx: o.consecutive5xx,
              consecutive_gateway_failure: o.consecutiveGateway,
              interval: seconds(o.intervalMs),
              base_ejection_time: seconds(o.baseEjectionMs),
              max_ejection_time: seconds(o.maxEjectionMs),
              max_ejection_percent: o.maxEjectionPercent,
            },
          }
        : {}),
      ...(c.tls ? { transport_socket: { name: 'envoy.transport_sockets.tls', tls_mode: c.tls.mode } } : {}),
      metadata: {
        filter_metadata: {
          istio: { services: [{ host: c.serviceFqdn }], subset: c.subset, protocol: c.protocol },
        },
      },
    },
  };
}

export function clustersDump(model: MeshModel) {
  return {
    configs: [...model.clusters.values()].sort((a, b) => a.name.localeCompare(b.name)).map(clusterDump),
  };
}

function socketAddress(host: string, port: number | undefined) {
  return { socket_address: { address: host, port_value: port ?? 0 } };
}

/**
 * The two listeners the sidecar has: virtualOutbound (the app's requests, one filter chain per service
 * port, HTTP to its route config or TCP to its cluster) and virtualInbound (other sidecars' requests to
 * the app, TLS as the PeerAuthentication says).
 */
export function listenersDump(model: MeshModel, f: ListenerFacts) {
  const outboundChains = new Map<number, Record<string, unknown>>();
  for (const s of model.services.values()) {
    for (const p of s.ports) {
      if (outboundChains.has(p.number) && p.protocol !== 'tcp') continue;
      const tcp = p.protocol === 'tcp' || p.protocol === 'tls';
      const cluster = tcp ? model.clusters.get(`outbound|${p.number}||${s.fqdn}`)?.name : undefined;
      outboundChains.set(p.number, {
        filter_chain_match: { destination_port: p.number },
        filters: [
          tcp
            ? {
                name: 'envoy.filters.network.tcp_proxy',
                typed_config: { cluster: cluster ?? `outbound|${p.number}||${s.fqdn}` },
              }
            : {
                name: 'envoy.filters.network.http_connection_manager',
                typed_config: { rds: { route_config_name: String(p.number) } },
              },
        ],
      });
    }
  }
  const inboundCluster = `inbound|${f.appPort}||`;
  const inboundChains = [
    ...(f.mtlsMode !== 'DISABLE'
      ? [
          {
            filter_chain_match: {
              transport_protocol: 'tls',
              application_protocols: ['istio', 'http/1.1', 'h2'],
            },
            transport_socket: 'istio mTLS',
            destination: inboundCluster,
          },
        ]
      : []),
    ...(f.mtlsMode !== 'STRICT'
      ? [{ filter_chain_match: { transport_protocol: 'raw_buffer' }, destination: inboundCluster }]
      : []),
  ];
  const listener = (name: string, port: number | undefined, chains: unknown[]) => ({
    '@type': `${TYPE}.ListenersConfigDump.DynamicListener`,
    name,
    active_state: {
      version_info: model.resourceVersion ?? '',
      listener: {
        name,
        address: socketAddress(f.host, port),
        use_original_dst: false,
        filter_chains: chains,
      },
    },
  });
  return {
    configs: [
      listener(
        'virtualOutbound',
        f.outboundPort,
        [...outboundChains.entries()].sort(([a], [b]) => a - b).map(([, c]) => c),
      ),
      listener('virtualInbound', f.inboundPort, inboundChains),
    ],
  };
}
