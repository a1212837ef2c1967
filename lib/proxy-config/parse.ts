// Pure parsing of a sidecar's admin answers into the Proxy tab's rows: Meshlens' sidecar and Envoy's own
// shapes (config_dump's dynamic_* lists, /clusters?format=json, /certs), read leniently — a field that is
// missing or of the wrong type gets its neutral value; only a wrong top-level shape is an error.
import type { AccessLogRow, CertificateRow, ClusterRow, EndpointRow, ListenerRow, RouteRow } from './types';

export class ProxyParseError extends Error {
  override name = 'ProxyParseError';
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const obj = (x: unknown): Obj => (isObj(x) ? x : {});
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const str = (x: unknown, d = ''): string =>
  typeof x === 'string' ? x : typeof x === 'number' ? String(x) : d;
const num = (x: unknown, d = 0): number => {
  const n = typeof x === 'string' ? Number(x) : x;
  return typeof n === 'number' && Number.isFinite(n) ? n : d;
};

/** The `configs` list of a config_dump, each element flattened out of Envoy's dynamic_* wrappers. */
function configs(dump: unknown, what: string, wrapper: string, inner: string): Obj[] {
  if (!isObj(dump) || !Array.isArray(dump.configs))
    throw new ProxyParseError(`the sidecar's ${what} answer has no configs list`);
  return dump.configs.flatMap((c) => {
    const o = obj(c);
    // A whole config_dump (`RoutesConfigDump` with `dynamic_route_configs[]`) or one resource's entries.
    if (Array.isArray(o[wrapper]))
      return o[wrapper].map((w) => obj(w)).filter((w) => isObj(w[inner]) || isObj(w.active_state));
    return isObj(o[inner]) || isObj(o.active_state) ? [o] : [];
  });
}

function matchWords(m: Obj): string {
  const parts: string[] = [];
  if (typeof m.path === 'string') parts.push(`path ${m.path}`);
  else if (typeof m.prefix === 'string') parts.push(`prefix ${m.prefix}`);
  else if (isObj(m.safe_regex)) parts.push(`regex ${str(m.safe_regex.regex)}`);
  for (const h of arr(m.headers)) {
    const ho = obj(h);
    const sm = obj(ho.string_match ?? ho);
    const value = sm.exact ?? sm.prefix ?? obj(sm.safe_regex).regex ?? ho.exact_match ?? ho.prefix_match;
    const how =
      sm.exact !== undefined || ho.exact_match !== undefined ? '=' : sm.prefix !== undefined ? '^=' : '~';
    parts.push(`${str(ho.name)}${how}${str(value)}`);
  }
  if (m.case_sensitive === false) parts.push('(any case)');
  return parts.join(', ') || 'prefix /';
}

/** /config_dump?resource=routes (or a whole config_dump's routes). */
export function parseRoutes(dump: unknown): RouteRow[] {
  return configs(dump, 'routes', 'dynamic_route_configs', 'route_config').flatMap((c) => {
    const rc = obj(c.route_config);
    const routeConfig = str(rc.name);
    return arr(rc.virtual_hosts).flatMap((vh) => {
      const v = obj(vh);
      return arr(v.routes).map((r): RouteRow => {
        const ro = obj(r);
        const action = obj(ro.route);
        const weighted = arr(obj(action.weighted_clusters).clusters).map((w) => ({
          cluster: str(obj(w).name),
          weight: num(obj(w).weight),
        }));
        const retry = obj(action.retry_policy);
        const retries = isObj(action.retry_policy)
          ? `${num(retry.num_retries, 1)} on ${str(retry.retry_on, '-')}${retry.per_try_timeout ? `, ${str(retry.per_try_timeout)} per try` : ''}`
          : 'none';
        return {
          routeConfig,
          virtualHost: str(v.name),
          domains: arr(v.domains).map((d) => str(d)),
          match: matchWords(obj(ro.match)),
          name: str(ro.name, 'default'),
          destinations:
            typeof action.cluster === 'string' ? [{ cluster: action.cluster, weight: 100 }] : weighted,
          timeout: str(action.timeout, '0s') === '0s' ? 'none' : str(action.timeout),
          retries,
        };
      });
    });
  });
}

/** `outbound|9080|v1|reviews.default.svc.cluster.local` into its parts. */
export function clusterNameParts(name: string): Pick<ClusterRow, 'direction' | 'port' | 'subset' | 'host'> {
  const p = name.split('|');
  if (p.length !== 4) return { direction: '', port: '', subset: '', host: name };
  return { direction: p[0] ?? '', port: p[1] ?? '', subset: p[2] ?? '', host: p[3] ?? '' };
}

function outlierWords(o: unknown): string {
  if (!isObj(o)) return '';
  const parts = [
    o.consecutive_5xx !== undefined ? `consecutive 5xx ${num(o.consecutive_5xx)}` : '',
    o.consecutive_gateway_failure ? `gateway errors ${num(o.consecutive_gateway_failure)}` : '',
    o.interval ? `interval ${str(o.interval)}` : '',
    o.base_ejection_time ? `base ejection ${str(o.base_ejection_time)}` : '',
    o.max_ejection_percent !== undefined ? `max ${num(o.max_ejection_percent)} %` : '',
  ];
  return parts.filter(Boolean).join(', ');
}

function socketAddress(a: unknown): { address: string; port: number } {
  const s = obj(obj(a).socket_address);
  return { address: str(s.address), port: num(s.port_value) };
}

/** Live endpoint state: Meshlens' /clusters (`clusters[].endpoints[]`) or Envoy's `/clusters?format=json`. */
function endpointStates(
  state: unknown,
): Map<string, { active: number; pending: number; endpoints: EndpointRow[] }> {
  const out = new Map<string, { active: number; pending: number; endpoints: EndpointRow[] }>();
  const s = obj(state);
  for (const c of arr(s.clusters)) {
    const co = obj(c);
    out.set(str(co.name), {
      active: num(co.activeRequests),
      pending: num(co.pendingRequests),
      endpoints: arr(co.endpoints).map((e) => {
        const eo = obj(e);
        return {
          address: str(eo.address),
          healthy: eo.healthy !== false,
          ejected: eo.ejected === true,
          ejectedUntil: typeof eo.ejectedUntil === 'string' ? eo.ejectedUntil : null,
          timesEjected: num(eo.timesEjected),
          activeRequests: num(eo.activeRequests),
        };
      }),
    });
  }
  for (const c of arr(s.cluster_statuses)) {
    const co = obj(c);
    out.set(str(co.name), {
      active: 0,
      pending: 0,
      endpoints: arr(co.host_statuses).map((h) => {
        const ho = obj(h);
        const { address, port } = socketAddress(ho.address);
        const health = obj(ho.health_status);
        const stat = (name: string) => num(obj(arr(ho.stats).find((x) => obj(x).name === name)).value);
        const ejected = health.failed_outlier_check === true;
        return {
          address: `${address}:${port}`,
          healthy: str(health.eds_health_status, 'HEALTHY') === 'HEALTHY' && !ejected,
          ejected,
          ejectedUntil: null,
          timesEjected: 0,
          activeRequests: stat('rq_active'),
        };
      }),
    });
  }
  return out;
}

/** /config_dump?resource=clusters joined with /clusters (endpoints, health, ejection, active requests). */
export function parseClusters(dump: unknown, state: unknown): ClusterRow[] {
  const live = endpointStates(state);
  const rows = configs(dump, 'clusters', 'dynamic_active_clusters', 'cluster').map((c): ClusterRow => {
    const cl = obj(c.cluster);
    const name = str(cl.name);
    const l = live.get(name);
    const ts = obj(cl.transport_socket);
    return {
      name,
      ...clusterNameParts(name),
      lbPolicy: str(cl.lb_policy, 'ROUND_ROBIN'),
      outlierDetection: outlierWords(cl.outlier_detection),
      tls: isObj(cl.transport_socket) ? str(ts.tls_mode, str(ts.name, 'TLS')) : '',
      activeRequests: l?.active ?? 0,
      pendingRequests: l?.pending ?? 0,
      endpoints: l?.endpoints ?? [],
    };
  });
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

function chainMatch(m: Obj): string {
  const parts: string[] = [];
  if (m.destination_port !== undefined) parts.push(`port ${num(m.destination_port)}`);
  if (m.transport_protocol === 'tls') parts.push('TLS');
  else if (m.transport_protocol === 'raw_buffer') parts.push('plaintext');
  const alpn = arr(m.application_protocols).map((a) => str(a));
  if (alpn.length > 0) parts.push(`ALPN ${alpn.join(',')}`);
  return parts.join(', ') || 'ALL';
}

function chainDestination(chain: Obj): string {
  for (const f of arr(chain.filters)) {
    const tc = obj(obj(f).typed_config);
    const rds = obj(tc.rds);
    if (rds.route_config_name !== undefined) return `Route: ${str(rds.route_config_name)}`;
    if (typeof tc.cluster === 'string') return `Cluster: ${tc.cluster}`;
  }
  return str(chain.destination, '-');
}

/** /config_dump?resource=listeners: one row per filter chain, as `istioctl proxy-config listeners` lists them. */
export function parseListeners(dump: unknown): ListenerRow[] {
  return configs(dump, 'listeners', 'dynamic_listeners', 'active_state').flatMap((c) => {
    const l = obj(obj(c.active_state).listener);
    const name = str(l.name, str(c.name));
    const { address, port } = socketAddress(l.address);
    const chains = arr(l.filter_chains).map((x) => obj(x));
    if (chains.length === 0) return [{ name, address, port, match: 'ALL', destination: '-' }];
    return chains.map((ch) => ({
      name,
      address,
      port,
      match: chainMatch(obj(ch.filter_chain_match)),
      destination: chainDestination(ch),
    }));
  });
}

function certRow(c: unknown, name: CertificateRow['name'], secondsToRenewal?: number): CertificateRow {
  const o = obj(c);
  const san = arr(o.subject_alt_names)
    .map((s) => str(obj(s).uri))
    .find(Boolean);
  return {
    name,
    spiffeId: str(o.spiffeId, san ?? ''),
    subject: str(o.subject),
    issuer: str(o.issuer),
    serialNumber: str(o.serialNumber, str(o.serial_number)),
    validFrom: str(o.validFrom, str(o.valid_from)),
    expirationTime: str(o.expirationTime, str(o.expiration_time)),
    daysUntilExpiration: num(o.daysUntilExpiration, num(o.days_until_expiration)),
    ...(secondsToRenewal !== undefined ? { secondsToRenewal } : {}),
  };
}

/** /certs: the workload certificate (leaf of the chain) and each root, as `istioctl proxy-config secret`. */
export function parseSecrets(certs: unknown): CertificateRow[] {
  if (!isObj(certs) || !Array.isArray(certs.certificates))
    throw new ProxyParseError("the sidecar's /certs answer has no certificates list");
  return certs.certificates.flatMap((c) => {
    const o = obj(c);
    const leaf = arr(o.cert_chain)[0];
    const renewal = typeof o.secondsToRenewal === 'number' ? o.secondsToRenewal : undefined;
    return [
      ...(leaf !== undefined ? [certRow(leaf, 'default', renewal)] : []),
      ...arr(o.ca_cert).map((ca) => certRow(ca, 'ROOTCA')),
    ];
  });
}

const TRACE_ID = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/;

/** /access_log: Envoy's access-log fields per entry; a trace id only when it is one. */
export function parseAccessLog(log: unknown): { entries: AccessLogRow[]; capacity: number; total: number } {
  if (!isObj(log) || !Array.isArray(log.entries))
    throw new ProxyParseError("the sidecar's /access_log answer has no entries list");
  const entries = log.entries.map((e): AccessLogRow => {
    const o = obj(e);
    const traceId = str(o.trace_id).toLowerCase();
    const grpc = str(o.grpc_status, '-');
    const method = str(o.method, '-');
    const protocol = str(o.protocol, '-');
    return {
      startTime: str(o.start_time),
      direction: str(o.direction, '-'),
      method,
      path: str(o.path, '-'),
      protocol,
      responseCode: num(o.response_code),
      ...(/^\d{1,2}$/.test(grpc) && Number(grpc) <= 16 ? { grpcStatus: Number(grpc) } : {}),
      tcp: method === '-' && protocol === '-' && num(o.response_code) === 0,
      responseFlags: str(o.response_flags, '-'),
      bytesReceived: num(o.bytes_received),
      bytesSent: num(o.bytes_sent),
      durationMs: num(o.duration),
      upstreamHost: str(o.upstream_host, '-'),
      upstreamCluster: str(o.upstream_cluster, '-'),
      authority: str(o.authority, '-'),
      requestId: str(o.request_id, '-'),
      ...(TRACE_ID.test(traceId) ? { traceId } : {}),
    };
  });
  return { entries, capacity: num(log.capacity), total: num(log.total) };
}
