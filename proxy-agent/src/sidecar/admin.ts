// The admin listener, as Envoy's: /stats/prometheus, /ready, /config_dump (effective config, the last
// config error, the certificates), /clusters (per-endpoint health and ejection state, JSON), /certs
// (the workload certificate and the roots, as Envoy's /certs and `istioctl proxy-config secret`),
// /config_dump?resource=routes|clusters|listeners (Envoy's shapes) and /access_log?limit=N (recent requests).

import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MeshSnapshot } from '../sidecar-config/config-source';
import { type AccessLog, parseAccessLogLimit } from './access-log';
import type { ClusterManager } from './cluster-manager';
import {
  CONFIG_DUMP_RESOURCES,
  type ConfigDumpResource,
  clustersDump,
  type ListenerFacts,
  listenersDump,
  routesDump,
} from './config-dump';
import { type MetricFamily, OPENMETRICS_CONTENT_TYPE, withFamilies } from './exposition';
import type { MeshModel, RouteDestination } from './mesh-model';
import type { EffectiveMtls } from './peer-authentication';
import type { Exposition, SidecarMetricsApi } from './telemetry-types';
import { type CertificateView, describeCertificate, splitPem, type WorkloadTls } from './workload-tls';

export interface ConfigError {
  message: string;
  /** ISO time of the failed apply. */
  at: string;
  resourceVersion: string | undefined;
}

export interface AdminState {
  metrics: SidecarMetricsApi;
  clusters: ClusterManager;
  model(): MeshModel;
  snapshot(): MeshSnapshot;
  lastConfigError(): ConfigError | undefined;
  draining(): boolean;
  identity: Record<string, unknown>;
  workloadTls?: WorkloadTls;
  /** The workload's effective PeerAuthentication mode now. */
  mtlsMode?: () => EffectiveMtls;
  /** Inbound connections refused, by reason. */
  refused?: Readonly<Record<string, number>>;
  /** Inbound TLS handshakes, full and resumed. */
  handshakes?: Readonly<Record<string, number>>;
  /** The recent requests (/access_log); absent: the path says the log is off. */
  accessLog?: AccessLog;
  /** More families after the metrics' (the span export's counters: span-export.ts). */
  stats?: readonly MetricFamily[];
  /** Where the listeners are, for the listeners view (undefined until they listen). */
  listeners?: () => Omit<ListenerFacts, 'mtlsMode'> | undefined;
}

/** Envoy's /certs shape: `certificates[{ca_cert[], cert_chain[]}]`, each with Istio's secret fields. */
export function certificatesView(tls: WorkloadTls | undefined, now: number) {
  const cert = tls?.certificate();
  if (cert === undefined) return { certificates: [] };
  const chain = splitPem(cert.certChain).map((pem) => describeCertificate(pem, now));
  const leaf = chain[0] as CertificateView | undefined;
  // Renewed at half its life, as Istio's agent does (the source renews; this says when that is due).
  const notBefore = cert.notBefore.getTime();
  const renewAt = notBefore + (cert.notAfter.getTime() - notBefore) / 2;
  return {
    certificates: [
      {
        name: 'default',
        spiffeId: cert.spiffeId,
        validFrom: cert.notBefore.toISOString(),
        expirationTime: cert.notAfter.toISOString(),
        daysUntilExpiration: leaf?.daysUntilExpiration ?? 0,
        secondsToRenewal: Math.max(0, Math.round((renewAt - now) / 1000)),
        cert_chain: chain,
        ca_cert: splitPem(cert.trustBundle).map((pem) => describeCertificate(pem, now)),
      },
    ],
  };
}

function resourceDump(state: AdminState, resource: ConfigDumpResource) {
  const model = state.model();
  if (resource === 'routes') return routesDump(model);
  if (resource === 'clusters') return clustersDump(model);
  const facts = state.listeners?.() ?? {
    host: '127.0.0.1',
    inboundPort: undefined,
    outboundPort: undefined,
    appPort: 0,
  };
  return listenersDump(model, { ...facts, mtlsMode: state.mtlsMode?.() ?? 'PERMISSIVE' });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value, null, 2);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Writes the exposition chunk by chunk (chunked transfer), waiting for the socket to drain, so that a
 * scrape of many series holds neither one giant string nor the event loop. A failure after the first
 * chunk can only cut the response (the scraper sees a truncated body and fails the scrape).
 */
async function streamMetrics(exposition: Exposition, res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': exposition.contentType });
  for await (const chunk of exposition.chunks) {
    if (res.destroyed) return;
    if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
  res.end();
}

/** The metrics' exposition, then the other stats' families in the same format. */
function exposition(state: AdminState, accept: string | undefined): Exposition {
  const metrics = state.metrics.exposition(accept);
  if (state.stats === undefined || state.stats.length === 0) return metrics;
  const format = metrics.contentType === OPENMETRICS_CONTENT_TYPE ? 'openmetrics' : 'prometheus';
  return { contentType: metrics.contentType, chunks: withFamilies(metrics.chunks, state.stats, format) };
}

function destinationView(d: RouteDestination, weight: number) {
  return {
    host: d.service.fqdn,
    subset: d.subset || undefined,
    port: d.fixed?.port,
    weight,
  };
}

/** The compiled config, as the sidecar routes with it. */
export function effectiveConfig(model: MeshModel) {
  return {
    resourceVersion: model.resourceVersion,
    resources: model.resourceCount,
    services: [...model.services.values()].map((s) => ({
      host: s.fqdn,
      service: s.identity,
      external: s.external,
      ports: s.ports,
      routeSource: s.routeSource,
      routes: s.routes.map((r) => ({
        name: r.name,
        match: r.matchers.length,
        destinations: r.destinations.map((d, i) =>
          destinationView(d, (r.cumulative[i] ?? 0) - (i > 0 ? (r.cumulative[i - 1] ?? 0) : 0)),
        ),
        timeoutMs: r.timeoutMs,
        retries: {
          attempts: r.retry.retries,
          perTryTimeoutMs: r.retry.perTryTimeoutMs,
          statusCodes: [...r.retry.statusCodes],
          on: r.retry.on,
        },
        fault: r.fault,
      })),
    })),
    clusters: [...model.clusters.values()].map((c) => ({
      name: c.name,
      lbPolicy: c.lb,
      outlierDetection: c.outlier,
      connectionPool: c.pool,
      tls: c.tls ?? null,
      endpoints: c.endpoints.map((e) => ({
        address: e.key,
        healthy: e.healthy,
        workload: e.identity.workload,
        sidecar: e.sidecar,
        peerMtlsMode: e.peerMode,
      })),
    })),
  };
}

export function createAdminHandler(
  state: AdminState,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> | undefined {
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    switch (path) {
      case '/stats/prometheus':
        return streamMetrics(exposition(state, req.headers.accept), res);
      case '/ready':
        if (state.draining()) text(res, 503, 'DRAINING\n');
        else text(res, 200, 'LIVE\n');
        return;
      case '/config_dump': {
        const resource = query.get('resource');
        if (resource !== null) {
          if (!(CONFIG_DUMP_RESOURCES as readonly string[]).includes(resource)) {
            text(res, 400, `resource must be one of ${CONFIG_DUMP_RESOURCES.join(', ')}\n`);
            return;
          }
          json(res, 200, resourceDump(state, resource as ConfigDumpResource));
          return;
        }
        json(res, 200, {
          identity: state.identity,
          lastConfigError: state.lastConfigError() ?? null,
          effective: effectiveConfig(state.model()),
          resources: state.snapshot().resources,
          security: {
            mtlsMode: state.mtlsMode?.() ?? 'PERMISSIVE',
            refusedConnections: state.refused ?? {},
            inboundHandshakes: state.handshakes ?? {},
            ...certificatesView(state.workloadTls, Date.now()),
          },
        });
        return;
      }
      case '/access_log': {
        if (state.accessLog === undefined) {
          text(res, 404, 'the access log is off\n');
          return;
        }
        const limit = parseAccessLogLimit(query.get('limit'));
        if (!limit.ok) {
          text(res, 400, `${limit.error}\n`);
          return;
        }
        json(res, 200, {
          capacity: state.accessLog.capacity,
          total: state.accessLog.total,
          entries: state.accessLog.recent(limit.limit),
        });
        return;
      }
      case '/certs':
        json(res, 200, certificatesView(state.workloadTls, Date.now()));
        return;
      case '/clusters': {
        const now = Date.now();
        json(res, 200, {
          clusters: state.clusters.states(now).map((c) => ({
            ...c,
            endpoints: c.endpoints.map((e) => ({
              address: e.address,
              healthy: e.healthy,
              ejected: e.ejected,
              ejectedUntil: e.ejectedUntil > 0 ? new Date(e.ejectedUntil).toISOString() : null,
              timesEjected: e.timesEjected,
              activeRequests: e.activeRequests,
            })),
          })),
        });
        return;
      }
      default:
        text(
          res,
          404,
          'admin paths: /stats/prometheus /ready /config_dump[?resource=routes|clusters|listeners] /clusters /certs /access_log[?limit=N]\n',
        );
    }
  };
}
