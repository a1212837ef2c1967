// Assembles one sidecar: config source → compiled model (swapped atomically), cluster runtime, the
// inbound, outbound and admin listeners (each behind the shared guard and the listener limits),
// telemetry, and a drain on close. startSidecar reads as its steps; each step is one function below.
import type { IncomingMessage, RequestListener, Server } from 'node:http';
import { type AddressInfo, createServer, type Server as NetServer, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { CLUSTER_DOMAIN, LABEL_WORKLOAD } from '../../../lib/mesh-config/labels';
import { guardedHandler } from '../net/guarded-handler';
import type { ConfigSource, MeshSnapshot } from '../sidecar-config/config-source';
import type { CertificateSource } from '../sidecar-config/workload-certificate';
import { ACCESS_LOG_ENTRIES, AccessLog } from './access-log';
import { type AdminState, type ConfigError, createAdminHandler } from './admin';
import { ClusterManager, DEFAULT_IDLE_TIMEOUT_MS } from './cluster-manager';
import { type ConnectionRoutes, PROTOCOL_DETECTION_TIMEOUT_MS, routeConnection } from './connection-router';
import { FastListener } from './fast-listener';
import { FastPool } from './fast-pool';
import { gatewayProxyLabels, registeredLabels, type SidecarMode } from './gateway-mode';
import { handleH2Inbound } from './h2-inbound';
import { H2Listener, MAX_CONCURRENT_STREAMS } from './h2-listener';
import { handleH2Outbound } from './h2-outbound';
import { H2Pool } from './h2-pool';
import { appHttp1Agent, type Http1Target } from './h2-to-http1';
import { createInboundHandler } from './inbound';
import {
  type ConnectionSecurity,
  InboundTransport,
  securityOf,
  TLS_HANDSHAKE_TIMEOUT_MS,
} from './inbound-transport';
import type { ListenerContext } from './listener-context';
import {
  ConnectionCap,
  DEFAULT_LISTENER_LIMITS,
  type ListenerLimits,
  limitedHttpServer,
  OVERLOAD_REPLY,
} from './listener-limits';
import { resolveFastPath } from './llhttp';
import {
  compileMesh,
  lookupService,
  type MeshModel,
  type ProxyKind,
  UNKNOWN_WORKLOAD,
  workloadKey,
} from './mesh-model';
import { MAX_METRIC_SERIES, SidecarMetrics } from './metrics';
import { createOutboundHandler } from './outbound';
import { type PassthroughLimits, PassthroughPools } from './passthrough-pools';
import { type EffectiveMtls, effectiveMtlsMode } from './peer-authentication';
import { encodePeer, withOwnPrincipal } from './peer-metadata';
import { Flag, flagString } from './response-flags';
import { spanExportFamilies } from './span-export';
import { handleTcpConnect, handleTcpInbound, TCP_CONNECT_TIMEOUT_MS, TCP_IDLE_TIMEOUT_MS } from './tcp-proxy';
import type {
  ServiceIdentity,
  SidecarMetricsApi,
  SidecarTracerApi,
  WorkloadIdentity,
} from './telemetry-types';
import { SidecarTracer } from './tracing';
import type { DownstreamRequest, DownstreamResponse } from './upstream';
import { Pool } from './upstream-pool';
import { WorkloadTls } from './workload-tls';

/** Envoy's default limit on request headers (60 KiB); larger ones get 431. */
export const MAX_HEADER_BYTES = 60 * 1024;
/** How long close() waits for in-flight requests before cutting connections. */
export const DEFAULT_DRAIN_MS = 20_000;
/** An idle keep-alive connection from a downstream client is closed after this long. */
export const DOWNSTREAM_KEEP_ALIVE_MS = 60_000;
/** How long a new connection to the local app may take. */
export const APP_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_OTLP_ENDPOINT = 'http://127.0.0.1:4318/v1/traces';
const LOOPBACK = '127.0.0.1';

export interface SidecarOptions {
  service: string;
  namespace?: string;
  version?: string;
  /** Default `<service>-<version>`. */
  workload?: string;
  appPort: number;
  /** 0 or absent: a free port (the handle tells which). */
  inboundPort?: number;
  outboundPort?: number;
  adminPort?: number;
  /** Bind address of the listeners; default 127.0.0.1. */
  host?: string;
  /** Where the app listens; default 127.0.0.1. */
  appHost?: string;
  configSource?: ConfigSource;
  configFile?: string;
  otlpEndpoint?: string;
  samplingPercent?: number;
  metrics?: SidecarMetricsApi;
  tracer?: SidecarTracerApi;
  drainTimeoutMs?: number;
  /**
   * The HTTP/1.1 fast path (net sockets + llhttp, own upstream connections); default true. false: every
   * request through node:http and undici, as before the fast path.
   */
  fastPath?: boolean;
  /** Head and body deadlines and the connection cap of every listener (defaults: listener-limits.ts). */
  limits?: Partial<ListenerLimits>;
  /** Cap on metric series of the default SidecarMetrics (default MAX_METRIC_SERIES). */
  maxMetricSeries?: number;
  /** Requests kept for the admin port's /access_log (default ACCESS_LOG_ENTRIES). */
  accessLogEntries?: number;
  /** One line per event (config errors, guarded failures); default stderr. */
  log?: (line: string) => void;
  /**
   * The workload's certificate (the control plane's CA, or files): with it the sidecar speaks mTLS —
   * originates Istio mTLS to sidecars (auto-mTLS, ISTIO_MUTUAL) and takes TLS on its inbound port.
   */
  certificates?: CertificateSource;
  /** The inbound port's first byte and TLS handshake must come within this long (default TLS_HANDSHAKE_TIMEOUT_MS). */
  tlsHandshakeTimeoutMs?: number;
  /** How long protocol detection waits for telling bytes before calling a connection TCP (default PROTOCOL_DETECTION_TIMEOUT_MS). */
  protocolDetectionTimeoutMs?: number;
  /** Streams one downstream HTTP/2 connection may have open at once (default MAX_CONCURRENT_STREAMS). */
  maxConcurrentStreams?: number;
  /** How long a TCP connection to an upstream or the app may take (default TCP_CONNECT_TIMEOUT_MS). */
  tcpConnectTimeoutMs?: number;
  /** A TCP connection with no bytes either way this long is closed (default TCP_IDLE_TIMEOUT_MS). */
  tcpIdleTimeoutMs?: number;
  /**
   * `gateway`: a standalone gateway (as istio-egressgateway, an Envoy with no app): its inbound port
   * routes what sidecars send it by the VirtualServices bound to the Gateways selecting it.
   */
  mode?: SidecarMode;
  /**
   * The labels this gateway registers (default gateway-mode.ts). Gateway selectors match these as its
   * registered WorkloadEntry has them now (a label changed there applies; a static config file has none).
   */
  gatewayLabels?: Readonly<Record<string, string>>;
  /** Bounds on PassthroughCluster connections (defaults: passthrough-pools.ts). */
  passthrough?: PassthroughLimits;
}

export type ApplyResult = { ok: true } | { ok: false; error: string };

export interface SidecarHandle {
  ports: { inbound: number; outbound: number; admin: number };
  identity: WorkloadIdentity;
  /** Compiles and swaps in a snapshot (what a config source subscription does); keeps the old on error. */
  applySnapshot(snapshot: MeshSnapshot): ApplyResult;
  lastConfigError(): ConfigError | undefined;
  /** Stops accepting, drains in-flight requests, closes pools and telemetry. */
  close(): Promise<void>;
}

type Log = (line: string) => void;
type Handler = (req: DownstreamRequest, res: DownstreamResponse) => void;

function listen(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Status lines for the client errors node:http reports by code; 400 for the others. */
const CLIENT_ERROR_STATUS: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  // A head or request past its deadline (headersTimeout, requestTimeout).
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/** Answers malformed requests itself: 431 for oversized headers, 408 past a deadline, 400 otherwise. */
function onClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = CLIENT_ERROR_STATUS[err.code ?? ''] ?? '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

/** `fn` run once; later calls get the first call's promise. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= fn();
    return running;
  };
}

/** Step 1: who this sidecar is, as workload and as service. */
function identify(options: SidecarOptions): { self: WorkloadIdentity; selfService: ServiceIdentity } {
  const namespace = options.namespace ?? 'default';
  const version = options.version ?? 'v1';
  return {
    self: {
      workload: options.workload ?? `${options.service}-${version}`,
      namespace,
      app: options.service,
      version,
      canonicalService: options.service,
      canonicalRevision: version,
      principal: 'unknown',
    },
    selfService: {
      service: `${options.service}.${namespace}.${CLUSTER_DOMAIN}`,
      serviceName: options.service,
      serviceNamespace: namespace,
    },
  };
}

/** Step 2: the config source; a config file's is the sidecar's own (closed with it). */
async function openConfigSource(options: SidecarOptions): Promise<{ source: ConfigSource; owned: boolean }> {
  if (options.configSource) return { source: options.configSource, owned: false };
  if (!options.configFile) throw new Error('a sidecar needs a config source or a config file');
  // Loaded only for a config file: its YAML parser is resident memory a control-plane sidecar never uses.
  const { staticFileSource } = await import('../sidecar-config/static-file-source');
  return { source: staticFileSource(options.configFile), owned: true };
}

/** Step 3: metrics and tracer, the given ones or the sidecar's own. */
function createTelemetry(options: SidecarOptions, self: WorkloadIdentity) {
  const metrics =
    options.metrics ?? new SidecarMetrics({ maxSeries: options.maxMetricSeries ?? MAX_METRIC_SERIES });
  const ownsTracer = options.tracer === undefined;
  const tracer =
    options.tracer ??
    new SidecarTracer({
      serviceName: `${self.canonicalService}.${self.namespace}`,
      namespace: self.namespace,
      canonicalService: self.canonicalService,
      canonicalRevision: self.canonicalRevision,
      resourceAttributes: { 'service.version': self.version, 'service.instance.id': self.workload },
      otlpEndpoint: options.otlpEndpoint ?? DEFAULT_OTLP_ENDPOINT,
      samplingPercent: options.samplingPercent ?? 100,
    });
  return { metrics, tracer, ownsTracer };
}

/**
 * Step 4: the current config. The first snapshot must compile (a sidecar does not start on a config it
 * cannot use); a later one that does not is logged and the previous one kept.
 */
class ConfigState {
  model: MeshModel;
  snapshot: MeshSnapshot;
  error: ConfigError | undefined;
  private readonly listeners: Array<(model: MeshModel) => void> = [];

  constructor(
    first: MeshSnapshot,
    private readonly namespace: string,
    private readonly workload: string,
    private readonly log: Log,
    private readonly proxy: (snapshot: MeshSnapshot) => ProxyKind,
  ) {
    this.snapshot = first;
    this.model = compileMesh(first, namespace, proxy(first));
  }

  onApply(fn: (model: MeshModel) => void): void {
    this.listeners.push(fn);
    fn(this.model);
  }

  apply(next: MeshSnapshot): ApplyResult {
    let compiled: MeshModel;
    try {
      compiled = compileMesh(next, this.namespace, this.proxy(next));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.error = { message, at: new Date().toISOString(), resourceVersion: next.resourceVersion };
      this.log(
        `meshlens sidecar ${this.workload}: config ${next.resourceVersion ?? ''} rejected, keeping the previous one: ${message}`,
      );
      return { ok: false, error: message };
    }
    for (const fn of this.listeners) fn(compiled);
    this.model = compiled;
    this.snapshot = next;
    this.error = undefined;
    return { ok: true };
  }
}

/** Step 5: the local app's connections (undici's for streams, the fast path's for buffered bodies). */
function createAppPools(options: SidecarOptions, fastPath: boolean) {
  const host = options.appHost ?? LOOPBACK;
  const pool = new Pool(`http://${host}:${options.appPort}`, {
    pipelining: 1,
    headersTimeout: 0,
    bodyTimeout: 0,
    keepAliveTimeout: DEFAULT_IDLE_TIMEOUT_MS,
    keepAliveMaxTimeout: DEFAULT_IDLE_TIMEOUT_MS,
  });
  const fast = fastPath
    ? new FastPool({
        host,
        port: options.appPort,
        maxConnections: Number.POSITIVE_INFINITY,
        connectTimeoutMs: APP_CONNECT_TIMEOUT_MS,
        idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
        maxRequestsPerConnection: 0,
      })
    : undefined;
  return {
    pool,
    fast,
    close: async () => {
      await pool.close().catch(() => {});
      await fast?.close();
    },
  };
}

/** Step 6: in-flight accounting, so that close() can drain. */
class DrainTracker {
  draining = false;
  private inflight = 0;
  private drained: (() => void) | undefined;

  track(handler: Handler): Handler {
    return (req, res) => {
      this.inflight++;
      res.once('close', () => {
        this.inflight--;
        if (this.inflight === 0) this.drained?.();
      });
      if (this.draining) res.setHeader('connection', 'close');
      handler(req, res);
    };
  }

  /** Counts an HTTP/2 stream or a TCP connection in flight until it closes. */
  hold<T extends { once(event: 'close', fn: () => void): unknown }>(it: T): T {
    this.inflight++;
    it.once('close', () => {
      this.inflight--;
      if (this.inflight === 0) this.drained?.();
    });
    return it;
  }

  /** Resolves when nothing is in flight, or after `timeoutMs`. */
  async idle(timeoutMs: number): Promise<void> {
    if (this.inflight === 0) return;
    await new Promise<void>((resolve) => {
      this.drained = resolve;
      setTimeout(resolve, timeoutMs).unref();
    });
  }
}

/** One proxying listener: the fast path in front of a node:http server, or the node:http server alone. */
interface ProxyListener {
  /** What listens on the port. */
  server: NetServer;
  http: Server;
  fast: FastListener | undefined;
}

/** Step 7: a proxying listener, behind the guard and the limits. */
function proxyListener(name: string, handler: Handler, limits: ListenerLimits, fastPath: boolean, log: Log) {
  // node:http hands a DownstreamRequest/Response pair the handlers accept.
  const guarded = guardedHandler(handler as unknown as RequestListener, { name, log });
  // With the fast path, the node:http server does not listen: it takes the connections handed over
  // (already counted against the cap by the fast path).
  const http = limitedHttpServer(limits, guarded, {
    maxHeaderSize: MAX_HEADER_BYTES,
    keepAliveTimeout: DOWNSTREAM_KEEP_ALIVE_MS,
    countConnections: !fastPath,
  });
  http.on('clientError', onClientError);
  // node:http starts tracking connections (and checking their head and request deadlines) on 'listening';
  // it never listens itself here (protocol detection hands it connections), so it is told.
  http.emit('listening');
  const fast = fastPath
    ? new FastListener({
        handler,
        fallback: http,
        maxHeaderSize: MAX_HEADER_BYTES,
        keepAliveTimeoutMs: DOWNSTREAM_KEEP_ALIVE_MS,
        onClientError,
        limits,
        name,
        log,
      })
    : undefined;
  return { server: fast?.server ?? http, http, fast } satisfies ProxyListener;
}

export async function startSidecar(options: SidecarOptions): Promise<SidecarHandle> {
  const host = options.host ?? LOOPBACK;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const limits: ListenerLimits = { ...DEFAULT_LISTENER_LIMITS, ...options.limits };
  // Off when asked, or when Node's llhttp binding is missing or not of the shape the fast path needs.
  const fastPath = resolveFastPath(options.fastPath !== false, log);
  const { self, selfService } = identify(options);
  const { source, owned: ownsSource } = await openConfigSource(options);
  const gateway = options.mode === 'gateway';
  let ports: SidecarHandle['ports'] | undefined;
  const ownLabels = { ...gatewayProxyLabels(self), ...options.gatewayLabels };
  const proxy = (snapshot: MeshSnapshot): ProxyKind =>
    gateway
      ? {
          mode: 'gateway',
          labels: { ...ownLabels, ...registeredLabels(snapshot.resources, self, ports?.inbound) },
        }
      : { mode: 'sidecar' };
  const config = new ConfigState(source.current(), self.namespace, self.workload, log, proxy);
  const { metrics, tracer, ownsTracer } = createTelemetry(options, self);
  const workloadTls = options.certificates ? new WorkloadTls(options.certificates, log) : undefined;
  const clusters = new ClusterManager(metrics, workloadTls);
  config.onApply((model) => clusters.apply(model));

  const mtlsMode = ownMtlsMode(
    options,
    self,
    () => config.model,
    () => ports?.inbound,
  );
  const ctx: ListenerContext = {
    current: () => config.model,
    clusters,
    metrics,
    tracer,
    self,
    selfMtls: withOwnPrincipal(self, workloadTls?.spiffeId ?? 'unknown'),
    selfService,
    inboundSpanName: '',
    peerHeader: encodePeer(self),
    fastPath,
    tcpConnectTimeoutMs: options.tcpConnectTimeoutMs ?? TCP_CONNECT_TIMEOUT_MS,
    tcpIdleTimeoutMs: options.tcpIdleTimeoutMs ?? TCP_IDLE_TIMEOUT_MS,
    mtlsMode: () => mtlsMode(),
    accessLog: new AccessLog(options.accessLogEntries ?? ACCESS_LOG_ENTRIES, {
      host: `${options.appHost ?? LOOPBACK}:${options.appPort}`,
      cluster: `inbound|${options.appPort}||`,
    }),
    // A gateway forwards only what its VirtualServices route; a sidecar may pass unknown hosts through.
    ...(gateway
      ? {}
      : {
          passthrough: new PassthroughPools({
            connectTimeoutMs: options.tcpConnectTimeoutMs ?? TCP_CONNECT_TIMEOUT_MS,
            ...options.passthrough,
          }),
        }),
  };
  workloadTls?.onChange(() => {
    ctx.selfMtls = withOwnPrincipal(self, workloadTls.spiffeId);
  });
  config.onApply((model) => {
    const port = lookupService(model, selfService.service)?.ports[0]?.number ?? options.appPort;
    ctx.inboundSpanName = `${selfService.service}:${port}/*`;
  });
  const unsubscribe = source.subscribe((s) => {
    config.apply(s);
  });

  const drain = new DrainTracker();
  const app = createAppPools(options, fastPath);
  const appH2 = new H2Pool(options.appHost ?? LOOPBACK, options.appPort, undefined);
  // An HTTP/1.1 request for an app whose port is declared HTTP2/GRPC goes to it over h2c (decided once
  // per config, not per request: it is on every inbound request's path).
  let declaredFor: MeshModel | undefined;
  let declaredH2 = false;
  const appDeclaredH2 = () => {
    if (config.model !== declaredFor) {
      declaredFor = config.model;
      const protocol = ownPortProtocol(config.model, selfService.service, options.appPort);
      declaredH2 = protocol === 'http2' || protocol === 'grpc';
    }
    return declaredH2;
  };
  const inbound = proxyListener(
    'sidecar inbound',
    // A gateway has no app: what comes in is routed out, as the outbound listener routes the app's requests.
    drain.track(
      gateway
        ? createOutboundHandler(ctx)
        : createInboundHandler(ctx, { ...app, h2: { pool: appH2, declared: appDeclaredH2 } }),
    ),
    limits,
    fastPath,
    log,
  );
  const detectionTimeoutMs = options.protocolDetectionTimeoutMs ?? PROTOCOL_DETECTION_TIMEOUT_MS;
  const appHttp1: Http1Target = {
    host: options.appHost ?? LOOPBACK,
    port: options.appPort,
    agent: appHttp1Agent(),
    connectTimeoutMs: APP_CONNECT_TIMEOUT_MS,
  };
  const protocolError = (reporter: 'source' | 'destination') => (security: ConnectionSecurity) =>
    metrics.recordRequest({
      reporter,
      source: reporter === 'source' ? ctx.self : UNKNOWN_WORKLOAD,
      destination: reporter === 'source' ? UNKNOWN_WORKLOAD : security.mtls ? ctx.selfMtls : ctx.self,
      destinationService:
        reporter === 'source'
          ? { service: 'unknown', serviceName: 'unknown', serviceNamespace: 'unknown' }
          : selfService,
      ...(reporter === 'destination'
        ? { connectionSecurityPolicy: security.mtls ? 'mutual_tls' : 'none' }
        : {}),
      requestProtocol: 'http',
      responseCode: 0,
      responseFlags: flagString(Flag.DPE),
      durationMs: 0,
      requestBytes: 0,
      responseBytes: 0,
    });
  const inboundH2 = new H2Listener({
    name: 'sidecar inbound',
    onStream: (stream, headers, security) =>
      gateway
        ? handleH2Outbound(ctx, drain.hold(stream), headers)
        : handleH2Inbound(
            ctx,
            appH2,
            drain.hold(stream),
            headers,
            security,
            // An app whose port is declared HTTP gets HTTP/1.1, whatever the caller spoke.
            ownPortProtocol(config.model, selfService.service, options.appPort) === 'http'
              ? appHttp1
              : undefined,
          ),
    onProtocolError: protocolError('destination'),
    idleTimeoutMs: DOWNSTREAM_KEEP_ALIVE_MS,
    maxConcurrentStreams: options.maxConcurrentStreams ?? MAX_CONCURRENT_STREAMS,
    log,
  });
  const inboundHttp1 = inboundAccept(inbound);
  const inboundCap = new ConnectionCap(limits.maxConnections);
  const appTarget = { host: options.appHost ?? LOOPBACK, port: options.appPort };
  const inboundTransport = new InboundTransport({
    workloadTls,
    mode: mtlsMode,
    accept: (socket) =>
      routeCapped(inboundCap, socket, {
        http1: inboundHttp1,
        h2: (s) => inboundH2.accept(s),
        // Opaque TCP into a gateway names no destination (no SNI routing here): closed.
        tcp: (s) => (gateway ? s.destroy() : handleTcpInbound(ctx, drain.hold(s), securityOf(s), appTarget)),
        declaredTcp: () => ownPortProtocol(config.model, selfService.service, options.appPort) === 'tcp',
        detectionTimeoutMs,
      }),
    handshakeTimeoutMs: options.tlsHandshakeTimeoutMs ?? TLS_HANDSHAKE_TIMEOUT_MS,
    maxPending: limits.maxConnections,
    log,
    name: 'sidecar inbound',
  });
  inbound.server = inboundTransport.server;
  trackSockets(inbound.server);
  const outbound = proxyListener(
    'sidecar outbound',
    drain.track(createOutboundHandler(ctx)),
    limits,
    fastPath,
    log,
  );
  // CONNECT from the app: a TCP service's port (node:http parses the request; the fast path hands it over).
  outbound.http.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) =>
    handleTcpConnect(ctx, req, drain.hold(socket), head),
  );
  const outboundH2 = new H2Listener({
    name: 'sidecar outbound',
    onStream: (stream, headers) => handleH2Outbound(ctx, drain.hold(stream), headers),
    onProtocolError: protocolError('source'),
    idleTimeoutMs: DOWNSTREAM_KEEP_ALIVE_MS,
    maxConcurrentStreams: options.maxConcurrentStreams ?? MAX_CONCURRENT_STREAMS,
    log,
  });
  const outboundHttp1 = inboundAccept(outbound);
  const outboundCap = new ConnectionCap(limits.maxConnections);
  const outboundServer = createServer({ allowHalfOpen: true }, (socket) =>
    routeCapped(outboundCap, socket, {
      http1: outboundHttp1,
      h2: (s) => outboundH2.accept(s),
      // Opaque bytes with no CONNECT say nothing of where they go (no original destination here).
      tcp: (s) => s.destroy(),
      declaredTcp: () => false,
      detectionTimeoutMs,
    }),
  );
  outbound.server = outboundServer;
  trackSockets(outboundServer);
  const admin = adminListener(
    {
      metrics,
      clusters,
      model: () => config.model,
      snapshot: () => config.snapshot,
      lastConfigError: () => config.error,
      draining: () => drain.draining,
      identity: { ...self, service: selfService.service },
      workloadTls,
      mtlsMode,
      refused: inboundTransport.refused,
      handshakes: inboundTransport.handshakes,
      accessLog: ctx.accessLog,
      stats: tracer instanceof SidecarTracer ? spanExportFamilies(() => tracer.exportStats()) : undefined,
      listeners: () =>
        ports && { host, inboundPort: ports.inbound, outboundPort: ports.outbound, appPort: options.appPort },
    },
    limits,
    log,
  );

  try {
    ports = await listenAll(options, host, { inbound: inbound.server, outbound: outbound.server, admin });
  } catch (err) {
    unsubscribe();
    await clusters.close();
    await app.close();
    throw err;
  }
  clusters.publishEndpoints(Date.now());
  ctx.passthrough?.setOwnPorts([ports.inbound, ports.outbound, ports.admin], host);

  const close = once(async () => {
    drain.draining = true;
    unsubscribe();
    inboundH2.closeAll(false);
    outboundH2.closeAll(false);
    await drainListeners([inbound, outbound], drain, options.drainTimeoutMs ?? DEFAULT_DRAIN_MS);
    inboundH2.closeAll(true);
    outboundH2.closeAll(true);
    // Stops node:http's deadline checks (started by the 'listening' it was told).
    for (const l of [inbound, outbound]) if (!l.http.listening) l.http.close(() => {});
    await appH2.close();
    appHttp1.agent.destroy();
    await ctx.passthrough?.close();
    await clusters.close();
    await app.close();
    if (ownsTracer) await tracer.shutdown();
    if (ownsSource) await source.close();
    workloadTls?.close();
    await new Promise<void>((resolve) => {
      admin.close(() => resolve());
      admin.closeAllConnections();
    });
  });

  return {
    ports,
    identity: self,
    applySnapshot: (next) => config.apply(next),
    lastConfigError: () => config.error,
    close,
  };
}

/**
 * Step 7a: the workload's own mTLS mode, from the PeerAuthentications of the current config (computed
 * once per config). Its labels are its WorkloadEntry's, else app/version/workload; its ports the inbound
 * port (what its WorkloadEntry declares) and the app's.
 */
function ownMtlsMode(
  options: SidecarOptions,
  self: WorkloadIdentity,
  model: () => MeshModel,
  inboundPort: () => number | undefined,
): () => EffectiveMtls {
  let cached: { model: MeshModel; mode: EffectiveMtls } | undefined;
  return () => {
    const m = model();
    if (cached?.model === m) return cached.mode;
    const entry = m.workloadEntries.get(workloadKey(self.namespace, self.workload));
    const labels = entry?.labels ?? { app: self.app, version: self.version, [LABEL_WORKLOAD]: self.workload };
    const ports = [inboundPort() ?? options.inboundPort ?? 0, options.appPort];
    const mode = effectiveMtlsMode(m.peerAuthentications, { namespace: self.namespace, labels, ports });
    // Cached only once the inbound port is known (the first connections come after listen anyway).
    if (inboundPort() !== undefined) cached = { model: m, mode };
    return mode;
  };
}

/** The overload answer for an HTTP/1.x connection past the cap (what the HTTP listener answers itself). */
const OVERLOAD_RESPONSE = `HTTP/1.1 ${OVERLOAD_REPLY.status} Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: ${OVERLOAD_REPLY.body.length}\r\nx-envoy-response-flags: ${OVERLOAD_REPLY.flag}\r\nconnection: close\r\n\r\n${OVERLOAD_REPLY.body}`;

/**
 * Step 7d: protocol detection behind the listener's connection cap (counted at accept, before a byte came):
 * past the cap an HTTP/1.x connection is answered 503 (OM) and closed, any other is closed.
 */
function routeCapped(cap: ConnectionCap, socket: Socket, routes: ConnectionRoutes): void {
  if (cap.admit(socket)) {
    routeConnection(socket, routes);
    return;
  }
  const refuse = (s: Socket) => s.destroy();
  routeConnection(socket, {
    ...routes,
    http1: (s) => {
      s.end(OVERLOAD_RESPONSE);
      s.resume();
    },
    h2: refuse,
    tcp: refuse,
  });
}

/** Step 7c: the protocol of the own service's port the app listens on (the first port when none says). */
function ownPortProtocol(model: MeshModel, service: string, appPort: number) {
  const ports = lookupService(model, service)?.ports ?? [];
  const port = ports.find((p) => (p.targetPort ?? p.number) === appPort) ?? ports[0];
  return port?.protocol ?? 'unknown';
}

/** Step 7b: where the inbound transport hands a connection: the fast path, or node:http. */
function inboundAccept(listener: ProxyListener): (socket: Socket) => void {
  if (listener.fast) {
    const fast = listener.fast;
    return (socket) => fast.accept(socket);
  }
  const http = listener.http;
  return (socket) => {
    // node:http would read a plain socket's handle directly, past the bytes the peek gave back.
    const handle = (socket as unknown as { _handle?: { _consumed?: boolean } })._handle;
    if (handle && !(socket instanceof TLSSocket)) handle._consumed = true;
    http.emit('connection', socket);
    if (socket.isPaused()) socket.resume();
  };
}

/** Step 8: the admin listener, behind the guard and the limits. */
function adminListener(state: AdminState, limits: ListenerLimits, log: Log): Server {
  const handler = guardedHandler(createAdminHandler(state), { name: 'sidecar admin', log });
  const admin = limitedHttpServer(limits, handler, {
    maxHeaderSize: MAX_HEADER_BYTES,
    countConnections: true,
  });
  admin.on('clientError', onClientError);
  return admin;
}

/** Step 9: every listener on its port; on failure none is left listening. */
async function listenAll(
  options: SidecarOptions,
  host: string,
  servers: Record<'inbound' | 'outbound' | 'admin', NetServer>,
): Promise<SidecarHandle['ports']> {
  try {
    return {
      inbound: await listen(servers.inbound, options.inboundPort ?? 0, host),
      outbound: await listen(servers.outbound, options.outboundPort ?? 0, host),
      admin: await listen(servers.admin, options.adminPort ?? 0, host),
    };
  } catch (err) {
    for (const s of Object.values(servers)) if (s.listening) s.close();
    throw err;
  }
}

/** Step 10 (on close): stop accepting, let in-flight requests finish (bounded), then cut what is left. */
async function drainListeners(listeners: ProxyListener[], drain: DrainTracker, timeoutMs: number) {
  const stopped = listeners.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve())));
  const servers = listeners.flatMap((l) => (l.fast ? [l.http, l.fast] : [l.http]));
  for (const s of servers) s.closeIdleConnections();
  await drain.idle(timeoutMs);
  for (const s of servers) s.closeAllConnections();
  // Connections handed over by protocol detection (HTTP/2, TCP, or HTTP/1 to a node:http server that does
  // not listen, and so does not track them) are cut here.
  for (const l of listeners) for (const socket of openSockets(l.server)) socket.destroy();
  await Promise.all(stopped);
}

const socketsOf = new WeakMap<NetServer, Set<Socket>>();

/** Keeps the open connections of a listening server (to cut them on close). */
function trackSockets(server: NetServer): void {
  const open = new Set<Socket>();
  socketsOf.set(server, open);
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
}

function openSockets(server: NetServer): Iterable<Socket> {
  return socketsOf.get(server) ?? [];
}
