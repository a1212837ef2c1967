// Assembles one sidecar: config source → compiled model (swapped atomically), cluster runtime, the
// inbound, outbound and admin listeners, telemetry, and a drain on close.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { CLUSTER_DOMAIN } from '../../../lib/mesh-config/labels';
import type { ConfigSource, MeshSnapshot } from '../sidecar-config/config-source';
import { type ConfigError, createAdminHandler } from './admin';
import { ClusterManager, DEFAULT_IDLE_TIMEOUT_MS } from './cluster-manager';
import { FastListener } from './fast-listener';
import { FastPool } from './fast-pool';
import { createInboundHandler } from './inbound';
import type { ListenerContext } from './listener-context';
import { compileMesh, lookupService, type MeshModel } from './mesh-model';
import { SidecarMetrics } from './metrics';
import { createOutboundHandler } from './outbound';
import { encodePeer } from './peer-metadata';
import type {
  ServiceIdentity,
  SidecarMetricsApi,
  SidecarTracerApi,
  WorkloadIdentity,
} from './telemetry-types';
import { SidecarTracer } from './tracing';
import type { DownstreamRequest, DownstreamResponse } from './upstream';
import { Pool } from './upstream-pool';

/** Envoy's default limit on request headers (60 KiB); larger ones get 431. */
export const MAX_HEADER_BYTES = 60 * 1024;
/** How long close() waits for in-flight requests before cutting connections. */
export const DEFAULT_DRAIN_MS = 20_000;

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
  /** One line per event (config errors); default stderr. */
  log?: (line: string) => void;
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

export const DEFAULT_OTLP_ENDPOINT = 'http://127.0.0.1:4318/v1/traces';

function listen(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Answers malformed requests itself: 431 for oversized headers, 400 otherwise. */
function onClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

export async function startSidecar(options: SidecarOptions): Promise<SidecarHandle> {
  const namespace = options.namespace ?? 'default';
  const version = options.version ?? 'v1';
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (!options.configSource && !options.configFile)
    throw new Error('a sidecar needs a config source or a config file');
  const ownsSource = options.configSource === undefined;
  // Loaded only for a config file: its YAML parser is resident memory a control-plane sidecar never uses.
  const source =
    options.configSource ??
    (await import('../sidecar-config/static-file-source')).staticFileSource(options.configFile as string);

  const self: WorkloadIdentity = {
    workload: options.workload ?? `${options.service}-${version}`,
    namespace,
    app: options.service,
    version,
    canonicalService: options.service,
    canonicalRevision: version,
    principal: 'unknown',
  };
  const selfService: ServiceIdentity = {
    service: `${options.service}.${namespace}.${CLUSTER_DOMAIN}`,
    serviceName: options.service,
    serviceNamespace: namespace,
  };

  // The first snapshot must compile: a sidecar does not start on a config it cannot use.
  let snapshot = source.current();
  let model: MeshModel = compileMesh(snapshot, namespace);
  let configError: ConfigError | undefined;

  const metrics = options.metrics ?? new SidecarMetrics();
  const ownsTracer = options.tracer === undefined;
  const tracer =
    options.tracer ??
    new SidecarTracer({
      serviceName: `${self.canonicalService}.${namespace}`,
      namespace,
      canonicalService: self.canonicalService,
      canonicalRevision: self.canonicalRevision,
      resourceAttributes: { 'service.version': version, 'service.instance.id': self.workload },
      otlpEndpoint: options.otlpEndpoint ?? DEFAULT_OTLP_ENDPOINT,
      samplingPercent: options.samplingPercent ?? 100,
    });
  const clusters = new ClusterManager(metrics);
  clusters.apply(model);

  const ctx: ListenerContext = {
    current: () => model,
    clusters,
    metrics,
    tracer,
    self,
    selfService,
    inboundSpanName: `${selfService.service}:${options.appPort}/*`,
    peerHeader: encodePeer(self),
    fastPath: options.fastPath !== false,
  };
  const refreshSelfPort = () => {
    const port = lookupService(model, selfService.service)?.ports[0]?.number ?? options.appPort;
    ctx.inboundSpanName = `${selfService.service}:${port}/*`;
  };
  refreshSelfPort();

  const applySnapshot = (next: MeshSnapshot): ApplyResult => {
    let compiled: MeshModel;
    try {
      compiled = compileMesh(next, namespace);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      configError = { message, at: new Date().toISOString(), resourceVersion: next.resourceVersion };
      log(
        `meshlens sidecar ${self.workload}: config ${next.resourceVersion ?? ''} rejected, keeping the previous one: ${message}`,
      );
      return { ok: false, error: message };
    }
    clusters.apply(compiled);
    model = compiled;
    snapshot = next;
    configError = undefined;
    refreshSelfPort();
    return { ok: true };
  };
  const unsubscribe = source.subscribe((s) => {
    applySnapshot(s);
  });

  let draining = false;
  let inflight = 0;
  let drained: (() => void) | undefined;
  const track =
    (handler: (req: DownstreamRequest, res: DownstreamResponse) => void) =>
    (req: DownstreamRequest, res: DownstreamResponse) => {
      inflight++;
      res.once('close', () => {
        inflight--;
        if (inflight === 0) drained?.();
      });
      if (draining) res.setHeader('connection', 'close');
      handler(req, res);
    };

  const appPool = new Pool(`http://${options.appHost ?? '127.0.0.1'}:${options.appPort}`, {
    pipelining: 1,
    headersTimeout: 0,
    bodyTimeout: 0,
    keepAliveTimeout: DEFAULT_IDLE_TIMEOUT_MS,
    keepAliveMaxTimeout: DEFAULT_IDLE_TIMEOUT_MS,
  });
  const appFast = ctx.fastPath
    ? new FastPool({
        host: options.appHost ?? '127.0.0.1',
        port: options.appPort,
        maxConnections: Number.POSITIVE_INFINITY,
        connectTimeoutMs: 10_000,
        idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
        maxRequestsPerConnection: 0,
      })
    : undefined;
  const keepAliveTimeout = 60_000;
  const serverOptions = { maxHeaderSize: MAX_HEADER_BYTES, keepAliveTimeout };
  const inboundHandler = track(createInboundHandler(ctx, { pool: appPool, fast: appFast }));
  const outboundHandler = track(createOutboundHandler(ctx));
  // With the fast path, these node:http servers do not listen: they take the connections it hands over.
  const inboundServer = createServer(serverOptions, inboundHandler);
  const outboundServer = createServer(serverOptions, outboundHandler);
  const fastListener = (handler: typeof inboundHandler, fallback: Server) =>
    new FastListener({
      handler,
      fallback,
      maxHeaderSize: MAX_HEADER_BYTES,
      keepAliveTimeoutMs: keepAliveTimeout,
      onClientError,
    });
  const inboundFast = ctx.fastPath ? fastListener(inboundHandler, inboundServer) : undefined;
  const outboundFast = ctx.fastPath ? fastListener(outboundHandler, outboundServer) : undefined;
  const inboundListener: NetServer = inboundFast?.server ?? inboundServer;
  const outboundListener: NetServer = outboundFast?.server ?? outboundServer;
  const adminServer = createServer(
    createAdminHandler({
      metrics,
      clusters,
      model: () => model,
      snapshot: () => snapshot,
      lastConfigError: () => configError,
      draining: () => draining,
      identity: { ...self, service: selfService.service },
    }),
  );
  for (const s of [inboundServer, outboundServer]) s.on('clientError', onClientError);

  const listeners: NetServer[] = [inboundListener, outboundListener, adminServer];
  let ports: SidecarHandle['ports'];
  try {
    ports = {
      inbound: await listen(inboundListener, options.inboundPort ?? 0, host),
      outbound: await listen(outboundListener, options.outboundPort ?? 0, host),
      admin: await listen(adminServer, options.adminPort ?? 0, host),
    };
  } catch (err) {
    for (const s of listeners) if (s.listening) s.close();
    unsubscribe();
    await clusters.close();
    await appPool.close();
    await appFast?.close();
    throw err;
  }
  clusters.publishEndpoints(Date.now());

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      draining = true;
      unsubscribe();
      const stopped = [inboundListener, outboundListener].map(
        (s) => new Promise<void>((resolve) => s.close(() => resolve())),
      );
      const fast = [inboundFast, outboundFast].filter((f) => f !== undefined);
      for (const s of [inboundServer, outboundServer, ...fast]) s.closeIdleConnections();
      if (inflight > 0) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, options.drainTimeoutMs ?? DEFAULT_DRAIN_MS).unref();
        });
      }
      for (const s of [inboundServer, outboundServer, ...fast]) s.closeAllConnections();
      await Promise.all(stopped);
      await clusters.close();
      await appPool.close().catch(() => {});
      await appFast?.close();
      if (ownsTracer) await tracer.shutdown();
      if (ownsSource) await source.close();
      await new Promise<void>((resolve) => {
        adminServer.close(() => resolve());
        adminServer.closeAllConnections();
      });
    })();
    return closing;
  };

  return {
    ports,
    identity: self,
    applySnapshot,
    lastConfigError: () => configError,
    close,
  };
}
