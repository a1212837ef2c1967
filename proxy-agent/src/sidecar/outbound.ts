// The outbound listener: the local app's requests to other services. The filter chain in Envoy's order:
// route match (NR) → fault injection (DI, FI) → per try: load balancer (UH), circuit breaker (UO),
// upstream try, outlier detection, retry decision with back-off (URX) → relay the response.
import { OVERFLOW, type PendingSlot } from './circuit-breaker';
import type { ClusterRuntime, EndpointRuntime } from './cluster-manager';
import { BLACKHOLE_CLUSTER, decideEgress, type EgressDecision, PASSTHROUGH_CLUSTER } from './egress-policy';
import { decideFault } from './fault';
import { H1ToH2Try } from './h1-to-h2-try';
import { h2PoolOf } from './h2-outbound';
import { type ListenerContext, MAX_BUFFERED_BODY } from './listener-context';
import {
  clusterFor,
  lookupService,
  type RouteConfig,
  type ServiceConfig,
  UNKNOWN,
  UNKNOWN_WORKLOAD,
} from './mesh-model';
import { PEER_HEADER } from './peer-metadata';
import { Flag, flagString, LOCAL_REPLY } from './response-flags';
import { backoffMs, isRetriable, type RetryPolicy, type TryOutcome } from './retry';
import { pickWeighted, selectRoute } from './route-table';
import type { HopSpan, ServiceIdentity, WorkloadIdentity } from './telemetry-types';
import {
  BodyTooLargeError,
  connectFailureBody,
  type DownstreamRequest,
  type DownstreamResponse,
  localReply,
  readBody,
  requestBody,
  type UpstreamRequest,
  UpstreamTry,
  upstreamHeaders,
} from './upstream';

const SLASH = 47;
const NO_FAULT = decideFault(undefined, 1, 1);

/** Host and port of the request target: the Host header, or the authority of an absolute-form URL. */
export function requestTarget(
  url: string,
  hostHeader: string | undefined,
): { hostname: string; port: number; path: string } {
  let authority = hostHeader ?? '';
  let path = url;
  if (url.charCodeAt(0) !== SLASH) {
    try {
      const u = new URL(url);
      authority = u.host;
      path = `${u.pathname}${u.search}`;
    } catch {
      authority = '';
    }
  }
  const colon = authority.lastIndexOf(':');
  if (colon > 0 && authority.indexOf(']') < colon) {
    return { hostname: authority.slice(0, colon), port: Number(authority.slice(colon + 1)) || 0, path };
  }
  return { hostname: authority, port: 0, path };
}

function failureFlag(outcome: TryOutcome): number {
  switch (outcome.kind) {
    case 'connect-failure':
      return Flag.UF;
    case 'reset':
      return Flag.UC;
    case 'per-try-timeout':
      return Flag.UT;
    default:
      return 0;
  }
}

/** State of one request through the outbound chain. */
class Exchange {
  flags = 0;
  requestBytes = 0;
  destination: WorkloadIdentity = UNKNOWN_WORKLOAD;
  /** This sidecar as the source reporter labels it: with its principal when the try went over mTLS. */
  source: WorkloadIdentity;
  /** Envoy's transport failure reason of the last failed connection (a TLS error), for the UF body. */
  transportFailure: string | undefined;
  span: HopSpan | undefined;
  /** Where the request went, for the access log (the exchange is the log's `upstream` record). */
  host: string | undefined = undefined;
  cluster: string | undefined = undefined;
  /** The request as sent upstream, and (made on the first mTLS try) with the peer metadata header. */
  upstreamRequest: UpstreamRequest | undefined = undefined;
  private overMtls: UpstreamRequest | undefined = undefined;
  downstreamGone = false;
  /** The try in progress, broken off if the downstream goes away. */
  current: UpstreamTry | H1ToH2Try | undefined;
  /** A wait for a connection slot, left if the downstream goes away. */
  pending: PendingSlot | undefined;
  /** The request's Host (or the absolute-form URL's authority): HTTP/2's :authority upstream. */
  authority = '';
  private done = false;

  constructor(
    readonly ctx: ListenerContext,
    readonly req: DownstreamRequest,
    readonly res: DownstreamResponse,
    readonly start: number,
    /** The service the request is counted against (the routed cluster's, once routed). */
    public service: ServiceIdentity,
  ) {
    this.source = ctx.self;
    res.once('close', () => {
      if (!res.writableFinished) {
        this.downstreamGone = true;
        this.pending?.cancel();
        this.current?.abort();
      }
    });
  }

  /** Records the request once: one source-reported sample, and the end of the client span. */
  finish(status: number, responseBytes: number): void {
    if (this.done) return;
    this.done = true;
    let flags = this.flags;
    if (this.downstreamGone) flags |= Flag.DC;
    const code = this.downstreamGone && !this.res.headersSent ? 0 : status;
    const responseFlags = flagString(flags);
    const span = this.span;
    const sampled = span?.sampled === true;
    const durationMs = performance.now() - this.start;
    this.ctx.metrics.recordRequest({
      reporter: 'source',
      source: this.source,
      destination: this.destination,
      destinationService: this.service,
      requestProtocol: isGrpc(this.req) ? 'grpc' : 'http',
      responseCode: code,
      responseFlags,
      durationMs,
      requestBytes: this.requestBytes,
      responseBytes,
      traceId: sampled ? span?.traceId : undefined,
      spanId: sampled ? span?.spanId : undefined,
    });
    span?.end({ statusCode: code, responseFlags, error: code === 0 || code >= 500 });
    this.ctx.accessLog?.log(
      'outbound',
      this.req,
      this.start,
      {
        responseCode: code,
        responseFlags,
        requestBytes: this.requestBytes,
        responseBytes,
        traceId: sampled ? span?.traceId : undefined,
        transportFailureReason: this.transportFailure,
        durationMs,
      },
      this,
    );
  }

  /** The request for an endpoint: peer metadata (workload labels) only over mTLS, where the peer's identity backs it. */
  requestFor(ep: EndpointRuntime): UpstreamRequest {
    const upstream = this.upstreamRequest as UpstreamRequest;
    if (!ep.mtls) return upstream;
    this.overMtls ??= { ...upstream, headers: [...upstream.headers, PEER_HEADER, this.ctx.peerHeader] };
    return this.overMtls;
  }

  reply(flag: keyof typeof LOCAL_REPLY, status?: number): void {
    const local = LOCAL_REPLY[flag];
    const code = status ?? local.status;
    const body = flag === 'UF' ? connectFailureBody(local.body, this.transportFailure) : local.body;
    const bytes = this.downstreamGone ? 0 : localReply(this.res, code, body, flagString(this.flags));
    this.finish(code, bytes);
  }
}

function isGrpc(req: DownstreamRequest): boolean {
  const ct = req.headers['content-type'];
  return typeof ct === 'string' && ct.startsWith('application/grpc');
}

function unknownService(hostname: string): ServiceIdentity {
  return { service: hostname || UNKNOWN, serviceName: hostname || UNKNOWN, serviceNamespace: UNKNOWN };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createOutboundHandler(
  ctx: ListenerContext,
): (req: DownstreamRequest, res: DownstreamResponse) => void {
  return (req, res) => {
    // A request that needs no wait before its first try starts it in this call (no async frame of its own).
    let pending: Promise<void> | undefined;
    try {
      pending = handleOutbound(ctx, req, res);
    } catch (err) {
      outboundFailed(err, res);
      return;
    }
    pending?.catch((err: unknown) => outboundFailed(err, res));
  };
}

/** A bug, not a routing outcome: answer 500 rather than leave the app hanging. */
function outboundFailed(err: unknown, res: DownstreamResponse): void {
  process.stderr.write(`meshlens sidecar: outbound request failed: ${String(err)}\n`);
  if (!res.headersSent) localReply(res, 500, 'internal sidecar error', '-');
  else res.destroy();
}

/** Routes the request and starts its tries; the promise (if any) settles when the request is done. */
function handleOutbound(
  ctx: ListenerContext,
  req: DownstreamRequest,
  res: DownstreamResponse,
): Promise<void> | undefined {
  const start = performance.now();
  const model = ctx.current();
  const { hostname, port, path } = requestTarget(req.url ?? '/', req.headers.host);
  const method = req.method ?? 'GET';
  const egress = decideEgress(model, ctx.self, hostname);
  if (egress !== undefined && egress.kind !== 'service') {
    const ex = new Exchange(ctx, req, res, start, egress.identity);
    return egressCluster(ex, egress, { hostname, port, path, method });
  }
  const service = egress?.service;
  const ex = new Exchange(ctx, req, res, start, service ? service.identity : unknownService(hostname));
  const route = service ? selectServiceRoute(service, method, path, req) : undefined;
  if (service === undefined || route === undefined) {
    ex.span = ctx.tracer.startClientSpan(req.headers, {
      name: `${hostname}:${port || 80}/*`,
      method,
      url: `http://${req.headers.host ?? hostname}${path}`,
    });
    ex.flags |= Flag.NR;
    ex.reply('NR');
    return;
  }
  const destination =
    route.destinations[pickWeighted(route.cumulative, Math.random())] ?? route.destinations[0];
  if (destination === undefined) {
    ex.flags |= Flag.NR;
    ex.reply('NR');
    return;
  }
  const cluster = clusterFor(destination, port || (service.ports[0]?.number ?? 80));
  // Istio labels a request with the service of the cluster it was routed to, not the host asked for:
  // a host routed to the egress gateway is counted against the gateway's service.
  if (cluster.serviceFqdn !== service.identity.service)
    ex.service = lookupService(model, cluster.serviceFqdn)?.identity ?? ex.service;
  ex.authority = req.headers.host ?? (port ? `${hostname}:${port}` : hostname);
  ex.span = ctx.tracer.startClientSpan(req.headers, {
    name: cluster.spanName,
    method,
    url: `http://${req.headers.host ?? hostname}${path}`,
    upstreamCluster: cluster.name,
    peerService: service.identity.serviceName,
  });
  ex.cluster = cluster.name;
  const rt = ctx.clusters.get(cluster.name);
  if (rt === undefined) {
    ex.reply('UH');
    return;
  }

  const incoming = requestBody(req);
  if (incoming !== null && !Buffer.isBuffer(incoming)) return readThenForward(ex, rt, route, incoming, path);
  if (incoming !== null) ex.requestBytes = incoming.length;
  return forward(ex, rt, route, incoming, path);
}

/** A streamed request body is read whole first (replayed on retry). */
async function readThenForward(
  ex: Exchange,
  rt: ClusterRuntime,
  route: RouteConfig,
  incoming: NodeJS.ReadableStream,
  path: string,
): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(incoming, MAX_BUFFERED_BODY);
  } catch (err) {
    if (err instanceof BodyTooLargeError && !ex.downstreamGone) {
      localReply(ex.res, 413, 'request body too large', '-');
      ex.finish(413, 0);
    } else ex.finish(0, 0);
    return;
  }
  ex.requestBytes = body.length;
  await forward(ex, rt, route, body, path);
}

/** Fault injection (a delay, an abort), then the tries. */
function forward(
  ex: Exchange,
  rt: ClusterRuntime,
  route: RouteConfig,
  body: Buffer | null,
  path: string,
): Promise<void> | undefined {
  const fault = route.fault === undefined ? NO_FAULT : decideFault(route.fault, Math.random(), Math.random());
  if (fault.delayMs > 0) {
    ex.flags |= Flag.DI;
    return sleep(fault.delayMs).then(() => afterDelay(ex, rt, route, fault.abortStatus, body, path));
  }
  return afterDelay(ex, rt, route, fault.abortStatus, body, path);
}

/** After a fault's delay: its abort, or the tries. */
function afterDelay(
  ex: Exchange,
  rt: ClusterRuntime,
  route: RouteConfig,
  abortStatus: number,
  body: Buffer | null,
  path: string,
): Promise<void> | undefined {
  if (abortStatus > 0) {
    ex.flags |= Flag.FI;
    ex.reply('FI', abortStatus);
    return;
  }
  if (ex.downstreamGone) {
    ex.finish(0, 0);
    return;
  }

  ex.upstreamRequest = {
    method: ex.req.method ?? 'GET',
    path,
    headers: upstreamHeaders(ex.req.rawHeaders, (ex.span as HopSpan).b3Headers(), PEER_HEADER),
    body,
  };
  return new Tries(ex, rt, route).next();
}

/**
 * A host outside the registry (or the Sidecar's egress scope): BlackHoleCluster refuses it (502, NR, the
 * reason in the body); PassthroughCluster forwards it as-is to the host and port the app named, one try.
 */
async function egressCluster(
  ex: Exchange,
  egress: Extract<EgressDecision, { kind: 'passthrough' | 'blackhole' }>,
  target: { hostname: string; port: number; path: string; method: string },
): Promise<void> {
  const { ctx, req } = ex;
  const port = target.port || 80;
  const cluster = egress.kind === 'passthrough' ? PASSTHROUGH_CLUSTER : BLACKHOLE_CLUSTER;
  ex.span = ctx.tracer.startClientSpan(req.headers, {
    name: `${target.hostname}:${port}/*`,
    method: target.method,
    url: `http://${req.headers.host ?? target.hostname}${target.path}`,
    upstreamCluster: cluster,
    peerService: egress.identity.service,
  });
  ex.cluster = cluster;
  if (ctx.passthrough?.loopsBack(target.hostname, port)) {
    // The app named the sidecar's own listener (e.g. no Host override): forwarding would loop forever.
    ex.span.setAttribute('meshlens.egress.refused', 'the host is this sidecar');
    ex.flags |= Flag.NR;
    ex.reply('NR');
    return;
  }
  if (egress.kind === 'blackhole' || ctx.passthrough === undefined) {
    ex.span.setAttribute('meshlens.egress.refused', egress.reason);
    ex.flags |= Flag.NR;
    const bytes = ex.downstreamGone
      ? 0
      : localReply(ex.res, 502, `refused by the mesh: ${egress.reason}\n`, flagString(ex.flags));
    ex.finish(502, bytes);
    return;
  }
  ex.host = `${target.hostname}:${port}`;
  ex.span.setAttribute('peer.address', ex.host);
  const body = requestBody(req);
  if (Buffer.isBuffer(body)) ex.requestBytes = body.length;
  const t = new UpstreamTry(
    ctx.passthrough.get(target.hostname, port),
    {
      method: target.method,
      path: target.path,
      headers: upstreamHeaders(req.rawHeaders, ex.span.b3Headers(), PEER_HEADER),
      body,
    },
    Number.POSITIVE_INFINITY,
  );
  ex.current = t;
  await t.head;
  if (ex.downstreamGone) {
    t.abort();
    ex.finish(0, 0);
    return;
  }
  const outcome = t.outcome as TryOutcome;
  if (outcome.kind !== 'response') {
    if (outcome.kind === 'connect-failure') ex.transportFailure = outcome.reason;
    const flag = failureFlag(outcome) || Flag.UC;
    ex.flags |= flag;
    ex.reply(flag === Flag.UF ? 'UF' : flag === Flag.UT ? 'UT' : 'UC');
    return;
  }
  t.relay(ex.res, flagString(ex.flags), (bytes) => {
    ex.finish(t.statusCode, bytes);
  });
}

function selectServiceRoute(
  service: ServiceConfig,
  method: string,
  path: string,
  req: DownstreamRequest,
): RouteConfig | undefined {
  const routes = service.routes;
  // The common case (one catch-all route) without touching the headers.
  if (routes.length === 1 && routes[0]?.matchers.length === 0) return routes[0];
  return selectRoute(routes, method, path, req.headers);
}

/**
 * The tries of one request, in Envoy's order: load balancer (UH), circuit breaker (UO), the try, outlier
 * detection, the retry decision with back-off (URX). Each step returns a promise only while it waits (a
 * connection slot, the answer's head, a back-off): no async frame per request.
 */
class Tries {
  private attempt = 0;
  private tried: Set<EndpointRuntime> | undefined;
  private readonly deadline: number;
  private readonly policy: RetryPolicy;

  constructor(
    private readonly ex: Exchange,
    private readonly rt: ClusterRuntime,
    route: RouteConfig,
  ) {
    this.policy = route.retry;
    this.deadline = route.timeoutMs > 0 ? ex.start + route.timeoutMs : Number.POSITIVE_INFINITY;
  }

  /** Picks an endpoint and takes a connection slot for the next try. */
  next(): Promise<void> | undefined {
    const { ex, rt } = this;
    this.attempt++;
    const ep = rt.pick(this.tried, rt.outlierClock());
    if (ep === undefined) {
      ex.flags |= Flag.UH;
      ex.reply('UH');
      return;
    }
    ex.destination = ep.destination;
    ex.source = ep.mtls ? ex.ctx.selfMtls : ex.ctx.self;
    ex.span?.setAttribute('peer.address', ep.config.key);
    ex.host = ep.config.key;
    const slot = rt.acquire();
    if (slot === OVERFLOW) {
      rt.stats.pendingOverflow();
      ex.flags |= Flag.UO;
      ex.reply('UO');
      return;
    }
    if (slot !== true) {
      ex.pending = slot;
      return slot.ready.then((granted) => {
        ex.pending = undefined;
        if (!granted) {
          ex.finish(0, 0);
          return;
        }
        return this.start(ep);
      });
    }
    return this.start(ep);
  }

  /** Sends the try to `ep` (its slot taken). */
  private start(ep: EndpointRuntime): Promise<void> | undefined {
    const { ex, rt, policy, deadline } = this;
    if (ex.downstreamGone) {
      rt.breaker.release();
      ex.finish(0, 0);
      return;
    }
    ep.activeRequests++;
    // The clock is read only when a deadline or a sampled span's attempt needs it.
    const tryStart =
      deadline === Number.POSITIVE_INFINITY && ex.span?.sampled !== true ? 0 : performance.now();
    const remaining = deadline - tryStart;
    const tryTimeout = policy.perTryTimeoutMs > 0 ? Math.min(policy.perTryTimeoutMs, remaining) : remaining;
    // The body is buffered (replayed on retry): the fast path's connections take every try, or the
    // endpoint's HTTP/2 connection when the cluster talks HTTP/2 (h2UpgradePolicy, an HTTP2/GRPC port).
    const t = rt.config.http2
      ? new H1ToH2Try(h2PoolOf(ep), ex.requestFor(ep), ex.authority, tryTimeout)
      : new UpstreamTry(ex.ctx.fastPath ? ep.fast : ep.pool, ex.requestFor(ep), tryTimeout);
    ex.current = t;
    return t.head.then(() => this.answered(ep, t, tryStart));
  }

  /** The try's head arrived or it failed: record it, retry, or relay the answer. */
  private answered(
    ep: EndpointRuntime,
    t: UpstreamTry | H1ToH2Try,
    tryStart: number,
  ): Promise<void> | undefined {
    const { ex, rt, policy, deadline, attempt } = this;
    const stats = rt.stats;
    if (ex.downstreamGone) {
      // The app hung up (DC): not the endpoint's fault, and nobody to answer.
      t.abort();
      ep.activeRequests--;
      rt.breaker.release();
      ex.finish(0, 0);
      return;
    }
    const outcome = t.outcome as TryOutcome;
    const status = t.statusCode;
    if (outcome.kind === 'connect-failure') ex.transportFailure = outcome.reason;
    else if (ep.mtls) {
      // The principals as Istio's client span shows them (after the handshake named the peer).
      ex.destination = ep.destination;
      ex.span?.setAttribute('source.principal', ex.source.principal);
      ex.span?.setAttribute('destination.principal', ep.destination.principal);
      ex.span?.setAttribute('peer.principal', ep.destination.principal);
    }
    rt.recordResult(ep, outcome.kind === 'response' ? status : 'local-failure', rt.outlierClock());
    const globalTimeout = outcome.kind === 'per-try-timeout' && performance.now() >= deadline - 1;
    const tryFlag = failureFlag(outcome);
    // Only a sampled span records attempts: the record is not built for the others.
    if (ex.span?.sampled === true)
      ex.span.addAttempt({
        attempt,
        endpoint: ep.config.key,
        statusCode: status,
        responseFlags: flagString(tryFlag),
        durationMs: performance.now() - tryStart,
      });
    const retriable = isRetriable(policy, outcome);
    if (retriable && !globalTimeout && !ex.downstreamGone && attempt <= policy.retries) {
      if (rt.activeRetries >= rt.config.pool.maxRetries) {
        stats.retryOverflow();
      } else {
        t.discard();
        ep.activeRequests--;
        rt.breaker.release();
        stats.retry();
        rt.activeRetries++;
        this.tried ??= new Set();
        this.tried.add(ep);
        const wait = Math.min(backoffMs(attempt, Math.random()), Math.max(0, deadline - performance.now()));
        return sleep(wait).then(() => {
          rt.activeRetries--;
          if (performance.now() >= deadline) {
            ex.flags |= Flag.UT;
            ex.reply('UT');
            return;
          }
          return this.next();
        });
      }
    } else if (retriable && policy.retries > 0 && attempt > policy.retries) {
      ex.flags |= Flag.URX;
      stats.retryLimitExceeded();
    } else if (attempt > 1 && outcome.kind === 'response' && !retriable) {
      stats.retrySuccess();
    }

    if (outcome.kind !== 'response') {
      ep.activeRequests--;
      rt.breaker.release();
      ex.flags |= globalTimeout ? Flag.UT : tryFlag;
      ex.reply(globalTimeout || tryFlag === Flag.UT ? 'UT' : tryFlag === Flag.UF ? 'UF' : 'UC');
      return;
    }
    let bodyTimer: NodeJS.Timeout | undefined;
    if (deadline !== Number.POSITIVE_INFINITY) {
      // The route timeout covers the whole response, as Envoy's does.
      bodyTimer = setTimeout(
        () => {
          ex.flags |= Flag.UT;
          t.abort();
        },
        Math.max(0, deadline - performance.now()),
      );
    }
    t.relay(ex.res, flagString(ex.flags), (bytes) => {
      if (bodyTimer) clearTimeout(bodyTimer);
      ep.activeRequests--;
      rt.breaker.release();
      ex.finish(status, bytes);
    });
    return;
  }
}
