import { describe, expect, it } from 'vitest';
import {
  clusterNameParts,
  ProxyParseError,
  parseAccessLog,
  parseClusters,
  parseListeners,
  parseRoutes,
  parseSecrets,
} from './parse';

const REVIEWS = 'reviews.bookinfo.svc.cluster.local';

describe('parseRoutes', () => {
  const dump = {
    configs: [
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump.DynamicRouteConfig',
        route_config: {
          name: '9080',
          virtual_hosts: [
            {
              name: `${REVIEWS}:9080`,
              domains: [REVIEWS, 'reviews'],
              routes: [
                {
                  name: 'jason',
                  match: { prefix: '/', headers: [{ name: 'end-user', string_match: { exact: 'jason' } }] },
                  route: {
                    cluster: `outbound|9080|v2|${REVIEWS}`,
                    timeout: '0s',
                    retry_policy: { retry_on: '5xx', num_retries: 2, per_try_timeout: '1s' },
                  },
                },
                {
                  match: { path: '/exact' },
                  route: {
                    weighted_clusters: {
                      clusters: [
                        { name: `outbound|9080|v1|${REVIEWS}`, weight: 80 },
                        { name: `outbound|9080|v3|${REVIEWS}`, weight: 20 },
                      ],
                    },
                    timeout: '3s',
                  },
                },
              ],
            },
          ],
        },
      },
    ],
  };

  it('lists each route with its match in words, destinations with weights, timeout and retries', () => {
    const rows = parseRoutes(dump);
    expect(rows[0]).toEqual({
      routeConfig: '9080',
      virtualHost: `${REVIEWS}:9080`,
      domains: [REVIEWS, 'reviews'],
      match: 'prefix /, end-user=jason',
      name: 'jason',
      destinations: [{ cluster: `outbound|9080|v2|${REVIEWS}`, weight: 100 }],
      timeout: 'none',
      retries: '2 on 5xx, 1s per try',
    });
    expect(rows[1]).toMatchObject({
      match: 'path /exact',
      name: 'default',
      timeout: '3s',
      retries: 'none',
      destinations: [
        { cluster: `outbound|9080|v1|${REVIEWS}`, weight: 80 },
        { cluster: `outbound|9080|v3|${REVIEWS}`, weight: 20 },
      ],
    });
  });

  it('reads a whole Envoy config_dump (dynamic_route_configs) the same way', () => {
    const whole = {
      configs: [
        {
          '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
          dynamic_route_configs: dump.configs.map(({ route_config }) => ({ route_config })),
        },
      ],
    };
    expect(parseRoutes(whole)).toEqual(parseRoutes(dump));
  });

  it('says so when the answer is not a config dump', () => {
    expect(() => parseRoutes({ nope: 1 })).toThrow(ProxyParseError);
    expect(() => parseRoutes('<html>')).toThrow(/no configs list/);
  });
});

describe('parseClusters', () => {
  const dump = {
    configs: [
      {
        cluster: {
          name: `outbound|9080|v1|${REVIEWS}`,
          lb_policy: 'LEAST_REQUEST',
          outlier_detection: {
            consecutive_5xx: 3,
            interval: '5s',
            base_ejection_time: '30s',
            max_ejection_percent: 50,
          },
          transport_socket: { name: 'envoy.transport_sockets.tls', tls_mode: 'ISTIO_MUTUAL' },
        },
      },
      { cluster: { name: 'BlackHoleCluster' } },
    ],
  };

  it('joins the config with live endpoints: health, ejection, active requests', () => {
    const state = {
      clusters: [
        {
          name: `outbound|9080|v1|${REVIEWS}`,
          activeRequests: 2,
          pendingRequests: 1,
          endpoints: [
            {
              address: '127.0.0.1:15101',
              healthy: true,
              ejected: false,
              ejectedUntil: null,
              timesEjected: 0,
              activeRequests: 2,
            },
            {
              address: '127.0.0.1:15102',
              healthy: true,
              ejected: true,
              ejectedUntil: '2026-01-01T00:00:30.000Z',
              timesEjected: 1,
              activeRequests: 0,
            },
          ],
        },
      ],
    };
    const [black, reviews] = parseClusters(dump, state);
    expect(black).toMatchObject({
      name: 'BlackHoleCluster',
      host: 'BlackHoleCluster',
      endpoints: [],
      outlierDetection: '',
    });
    expect(reviews).toMatchObject({
      direction: 'outbound',
      port: '9080',
      subset: 'v1',
      host: REVIEWS,
      lbPolicy: 'LEAST_REQUEST',
      outlierDetection: 'consecutive 5xx 3, interval 5s, base ejection 30s, max 50 %',
      tls: 'ISTIO_MUTUAL',
      activeRequests: 2,
      pendingRequests: 1,
    });
    expect(reviews?.endpoints[1]).toEqual({
      address: '127.0.0.1:15102',
      healthy: true,
      ejected: true,
      ejectedUntil: '2026-01-01T00:00:30.000Z',
      timesEjected: 1,
      activeRequests: 0,
    });
  });

  it('reads Envoy’s /clusters?format=json host statuses (failed outlier check = ejected)', () => {
    const envoy = {
      cluster_statuses: [
        {
          name: `outbound|9080|v1|${REVIEWS}`,
          host_statuses: [
            {
              address: { socket_address: { address: '10.0.0.7', port_value: 9080 } },
              stats: [{ name: 'rq_active', value: '4' }],
              health_status: { failed_outlier_check: true, eds_health_status: 'HEALTHY' },
            },
          ],
        },
      ],
    };
    const reviews = parseClusters(dump, envoy).find((c) => c.subset === 'v1');
    expect(reviews?.endpoints).toEqual([
      {
        address: '10.0.0.7:9080',
        healthy: false,
        ejected: true,
        ejectedUntil: null,
        timesEjected: 0,
        activeRequests: 4,
      },
    ]);
  });

  it('shows the config without endpoints when the live state is missing', () => {
    expect(parseClusters(dump, undefined).map((c) => c.endpoints.length)).toEqual([0, 0]);
  });

  it('splits cluster names into direction, port, subset and host', () => {
    expect(clusterNameParts(`outbound|9080||${REVIEWS}`)).toEqual({
      direction: 'outbound',
      port: '9080',
      subset: '',
      host: REVIEWS,
    });
  });
});

describe('parseListeners', () => {
  it('gives one row per filter chain with its match and destination', () => {
    const dump = {
      configs: [
        {
          name: 'virtualOutbound',
          active_state: {
            listener: {
              name: 'virtualOutbound',
              address: { socket_address: { address: '127.0.0.1', port_value: 15001 } },
              filter_chains: [
                {
                  filter_chain_match: { destination_port: 9080 },
                  filters: [{ name: 'hcm', typed_config: { rds: { route_config_name: '9080' } } }],
                },
                {
                  filter_chain_match: { destination_port: 27017 },
                  filters: [{ name: 'tcp', typed_config: { cluster: 'outbound|27017||mongo' } }],
                },
              ],
            },
          },
        },
        {
          name: 'virtualInbound',
          active_state: {
            listener: {
              address: { socket_address: { address: '127.0.0.1', port_value: 15006 } },
              filter_chains: [
                {
                  filter_chain_match: { transport_protocol: 'tls', application_protocols: ['istio'] },
                  destination: 'inbound|9080||',
                },
              ],
            },
          },
        },
      ],
    };
    expect(parseListeners(dump)).toEqual([
      {
        name: 'virtualOutbound',
        address: '127.0.0.1',
        port: 15001,
        match: 'port 9080',
        destination: 'Route: 9080',
      },
      {
        name: 'virtualOutbound',
        address: '127.0.0.1',
        port: 15001,
        match: 'port 27017',
        destination: 'Cluster: outbound|27017||mongo',
      },
      {
        name: 'virtualInbound',
        address: '127.0.0.1',
        port: 15006,
        match: 'TLS, ALPN istio',
        destination: 'inbound|9080||',
      },
    ]);
  });
});

describe('parseSecrets', () => {
  it('gives the workload certificate (with time to renewal) and the roots, as istioctl proxy-config secret', () => {
    const rows = parseSecrets({
      certificates: [
        {
          name: 'default',
          secondsToRenewal: 41_000,
          cert_chain: [
            {
              spiffeId: 'spiffe://cluster.local/ns/bookinfo/sa/reviews',
              serialNumber: '0A',
              subject: '',
              issuer: 'CN=Meshlens Root',
              validFrom: '2026-01-01T00:00:00.000Z',
              expirationTime: '2026-01-02T00:00:00.000Z',
              daysUntilExpiration: 0,
            },
          ],
          ca_cert: [
            {
              subject: 'CN=Meshlens Root',
              issuer: 'CN=Meshlens Root',
              serialNumber: '01',
              daysUntilExpiration: 3650,
            },
          ],
        },
      ],
    });
    expect(rows).toEqual([
      expect.objectContaining({
        name: 'default',
        spiffeId: 'spiffe://cluster.local/ns/bookinfo/sa/reviews',
        issuer: 'CN=Meshlens Root',
        secondsToRenewal: 41_000,
      }),
      expect.objectContaining({ name: 'ROOTCA', subject: 'CN=Meshlens Root', daysUntilExpiration: 3650 }),
    ]);
  });

  it('reads Envoy’s /certs fields (snake case, SAN list)', () => {
    const [leaf] = parseSecrets({
      certificates: [
        {
          cert_chain: [
            {
              serial_number: 'ff',
              subject_alt_names: [{ uri: 'spiffe://cluster.local/ns/a/sa/b' }],
              days_until_expiration: '1',
              valid_from: '2026-01-01T00:00:00Z',
              expiration_time: '2026-01-02T00:00:00Z',
            },
          ],
          ca_cert: [],
        },
      ],
    });
    expect(leaf).toMatchObject({
      spiffeId: 'spiffe://cluster.local/ns/a/sa/b',
      serialNumber: 'ff',
      daysUntilExpiration: 1,
    });
  });

  it('shows no certificate for a plaintext sidecar, and refuses another shape', () => {
    expect(parseSecrets({ certificates: [] })).toEqual([]);
    expect(() => parseSecrets([])).toThrow(ProxyParseError);
  });
});

describe('parseAccessLog', () => {
  it('maps Envoy’s access-log fields; a trace id only when it is one', () => {
    const { entries, capacity, total } = parseAccessLog({
      capacity: 500,
      total: 7,
      entries: [
        {
          start_time: '2026-01-01T00:00:00.000Z',
          direction: 'outbound',
          method: 'GET',
          path: '/reviews/0',
          protocol: 'HTTP/1.1',
          response_code: 503,
          response_flags: 'UF,URX',
          bytes_received: 0,
          bytes_sent: 91,
          duration: 12,
          upstream_host: '127.0.0.1:15101',
          upstream_cluster: `outbound|9080|v1|${REVIEWS}`,
          authority: 'reviews:9080',
          request_id: 'abc',
          trace_id: '463AC35C9F6413AD48485A3953BB6124',
        },
        { start_time: 'x', trace_id: '-' },
        { trace_id: '<script>' },
      ],
    });
    expect(capacity).toBe(500);
    expect(total).toBe(7);
    expect(entries[0]).toMatchObject({
      responseCode: 503,
      responseFlags: 'UF,URX',
      durationMs: 12,
      traceId: '463ac35c9f6413ad48485a3953bb6124',
    });
    expect(entries[0]?.tcp).toBe(false);
    expect(entries[0]?.grpcStatus).toBeUndefined();
    expect(entries[1]?.traceId).toBeUndefined();
    expect(entries[2]?.traceId).toBeUndefined();
  });

  it('reads a gRPC call’s status and tells a TCP connection from a request', () => {
    const { entries } = parseAccessLog({
      capacity: 10,
      total: 3,
      entries: [
        {
          method: 'POST',
          path: '/ratings.Ratings/Get',
          protocol: 'HTTP/2',
          response_code: 200,
          grpc_status: '14',
        },
        { method: '-', path: '-', protocol: '-', response_code: 0, grpc_status: '-', bytes_sent: 42 },
        { method: 'POST', protocol: 'HTTP/2', response_code: 200, grpc_status: '99' },
      ],
    });
    expect(entries[0]).toMatchObject({ grpcStatus: 14, tcp: false });
    expect(entries[1]).toMatchObject({ tcp: true, bytesSent: 42 });
    expect(entries[1]?.grpcStatus).toBeUndefined();
    expect(entries[2]?.grpcStatus).toBeUndefined();
  });
});
