// The outbound listener's HTTP/2 streams (gRPC and plain h2 from the local app): the same chain as
// outbound.ts — route match on :authority and :path (NR), fault, per try: endpoint (UH), circuit breaker
// (UO), an upstream HTTP/2 try, outlier detection, retry with back-off on Istio's conditions (gRPC
// statuses included), then the response relayed unchanged with its trailers. A host outside the registry
// or the workload's Sidecar scope follows the outbound traffic policy as on HTTP/1: PassthroughCluster
// (ALLOW_ANY, forwarded as-is over h2c, one try) or BlackHoleCluster (REGISTRY_ONLY, 502 NR / gRPC 14).
// Each stream ends in one Istio sample, a span and an access-log entry.
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { OVERFLOW } from './circuit-breaker';
import type { ClusterRuntime, EndpointRuntime } from './cluster-manager';
import { BLACKHOLE_CLUSTER, decideEgress, type EgressDecision, PASSTHROUGH_CLUSTER } from './egress-policy';
import { decideFault } from './fault';
import {
  H2Try,
  localH2Reply,
  type RelayResult,
  RequestBody,
  relayResponse,
  upstreamH2Headers,
} from './h2-exchange';
import { H2Pool } from './h2-pool';
import {
  endStreamSpan,
  isGrpcRequest,
  markGrpcSpan,
  streamLogOutcome,
  streamOutcome,
  streamRecord,
} from './h2-telemetry';
import { type ListenerContext, MAX_BUFFERED_BODY } from './listener-context';
import { clusterFor, lookupService, UNKNOWN, UNKNOWN_WORKLOAD } from './mesh-model';
import { PEER_HEADER } from './peer-metadata';
import { Flag, flagString, LOCAL_REPLY } from './response-flags';
import { backoffMs, isRetriable, type TryOutcome } from './retry';
import { pickWeighted, selectRoute } from './route-table';
import type { HopSpan, ServiceIdentity, WorkloadIdentity } from './telemetry-types';

/** Each endpoint's HTTP/2 connections (dropped with the endpoint; its session closes itself when idle). */
const pools = new WeakMap<EndpointRuntime, H2Pool>();

export function h2PoolOf(ep: EndpointRuntime): H2Pool {
  let p = pools.get(ep);
  if (p === undefined) {
    p = new H2Pool(ep.config.host, ep.config.port, ep.tls);
    pools.set(ep, p);
  }
  return p;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function failureFlag(o: TryOutcome): number {
  if (o.kind === 'connect-failure') return Flag.UF;
  if (o.kind === 'reset') return Flag.UC;
  if (o.kind === 'per-try-timeout') return Flag.UT;
  return 0;
}

/** Splits `host[:port]` of an :authority. */
function authorityOf(authority: string): { hostname: string; port: number } {
  const colon = authority.lastIndexOf(':');
  if (colon > 0 && authority.indexOf(']') < colon)
    return { hostname: authority.slice(0, colon), port: Number(authority.slice(colon + 1)) || 0 };
  return { hostname: authority, port: 0 };
}

export function handleH2Outbound(
  ctx: ListenerContext,
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
): void {
  run(ctx, stream, headers).catch((err: unknown) => {
    process.stderr.write(`meshlens sidecar: outbound HTTP/2 stream failed: ${String(err)}\n`);
    if (!stream.destroyed) stream.close(2);
  });
}

async function run(ctx: ListenerContext, stream: ServerHttp2Stream, headers: IncomingHttpHeaders) {
  const start = performance.now();
  const grpc = isGrpcRequest(headers);
  const method = String(headers[':method'] ?? 'GET');
  const path = String(headers[':path'] ?? '/');
  const authority = String(headers[':authority'] ?? headers.host ?? '');
  const { hostname, port } = authorityOf(authority);
  const egress = decideEgress(ctx.current(), ctx.self, hostname);
  const service = egress?.kind === 'service' ? egress.service : undefined;
  const body = new RequestBody(stream, MAX_BUFFERED_BODY);
  let flags = 0;
  let source: WorkloadIdentity = ctx.self;
  let destination: WorkloadIdentity = UNKNOWN_WORKLOAD;
  let destinationService: ServiceIdentity =
    egress === undefined
      ? { service: UNKNOWN, serviceName: UNKNOWN, serviceNamespace: UNKNOWN }
      : egress.kind === 'service'
        ? egress.service.identity
        : egress.identity;
  const upstream: { host?: string; cluster?: string } = {};
  let span: HopSpan | undefined;
  let downstreamGone = false;
  let done = false;
  stream.once('close', () => {
    if (!done) downstreamGone = true;
  });
  const finish = (
    status: number,
    grpcStatus: number | undefined,
    responseBytes: number,
    responseMessages: number,
  ) => {
    if (done) return;
    done = true;
    const o = streamOutcome(
      { status, grpcStatus, responseBytes, responseMessages },
      flags,
      downstreamGone,
      stream.headersSent,
      body,
    );
    const traceId = span?.sampled ? span.traceId : undefined;
    ctx.metrics.recordRequest({
      reporter: 'source',
      source,
      destination,
      destinationService,
      durationMs: performance.now() - start,
      ...streamRecord(grpc, o),
      traceId,
      spanId: span?.sampled ? span.spanId : undefined,
    });
    if (span) endStreamSpan(span, grpc, o);
    ctx.accessLog?.log(
      'outbound',
      { method, url: path, headers: { ...headers, host: authority } },
      start,
      streamLogOutcome(grpc, o, traceId),
      upstream,
    );
  };
  const reply = (flag: keyof typeof LOCAL_REPLY, status?: number) => {
    const local = LOCAL_REPLY[flag];
    const r = localH2Reply(
      stream,
      grpc,
      status ?? local.status,
      local.body || 'route not found',
      flagString(flags),
    );
    finish(r.status, r.grpcStatus, r.bytes, 0);
  };

  if (egress !== undefined && egress.kind !== 'service') {
    const cluster = egress.kind === 'passthrough' ? PASSTHROUGH_CLUSTER : BLACKHOLE_CLUSTER;
    upstream.cluster = cluster;
    span = ctx.tracer.startClientSpan(headers, {
      name: `${hostname}:${port || 80}/*`,
      method,
      url: `http://${authority}${path}`,
      upstreamCluster: cluster,
      peerService: egress.identity.service,
    });
    if (grpc) markGrpcSpan(span, path);
    if (egress.kind === 'passthrough' && grpc && headers.te !== 'trailers') {
      flags |= Flag.DPE;
      const r = localH2Reply(stream, true, 503, 'gRPC call without te: trailers', flagString(flags), 14);
      finish(r.status, r.grpcStatus, 0, 0);
      return;
    }
    const e = await egressStream(ctx, egress, { hostname, port: port || 80 }, headers, body, span);
    flags |= e.flags;
    if (e.kind === 'refused') {
      const r = localH2Reply(stream, grpc, e.status, e.text, flagString(flags));
      finish(r.status, r.grpcStatus, r.bytes, 0);
      return;
    }
    upstream.host = e.host;
    if (downstreamGone) {
      e.t.abort();
      finish(0, undefined, 0, 0);
      return;
    }
    relayResponse(e.t, e.head, stream, flags ? { 'x-envoy-response-flags': flagString(flags) } : {}, (r) => {
      if (r.reset) flags |= Flag.UR;
      finish(r.status, grpc ? r.grpcStatus : undefined, r.responseBytes, r.responseMessages);
    });
    return;
  }
  const route = service ? selectRoute(service.routes, method, path, headers) : undefined;
  const destinationRef =
    route?.destinations[pickWeighted(route.cumulative, Math.random())] ?? route?.destinations[0];
  const cluster = destinationRef
    ? clusterFor(destinationRef, port || (service?.ports[0]?.number ?? 80))
    : undefined;
  span = ctx.tracer.startClientSpan(headers, {
    name: cluster?.spanName ?? `${hostname}:${port || 80}/*`,
    method,
    url: `http://${authority}${path}`,
    ...(cluster ? { upstreamCluster: cluster.name } : {}),
    ...(service ? { peerService: service.identity.serviceName } : {}),
  });
  if (grpc) markGrpcSpan(span, path);
  if (route === undefined || cluster === undefined) {
    flags |= Flag.NR;
    reply('NR');
    return;
  }
  upstream.cluster = cluster.name;
  // Istio labels a call with the service of the cluster it was routed to, not the host asked for (as the
  // HTTP/1 path does): a host routed to another service, or to the egress gateway, counts against that one.
  if (service && cluster.serviceFqdn !== service.identity.service)
    destinationService = lookupService(ctx.current(), cluster.serviceFqdn)?.identity ?? destinationService;
  if (grpc && headers.te !== 'trailers') {
    // gRPC needs trailers end to end; a call without `te: trailers` cannot get its status back.
    flags |= Flag.DPE;
    const r = localH2Reply(stream, true, 503, 'gRPC call without te: trailers', flagString(flags), 14);
    finish(r.status, r.grpcStatus, 0, 0);
    return;
  }
  const rt = ctx.clusters.get(cluster.name);
  if (rt === undefined) {
    flags |= Flag.UH;
    reply('UH');
    return;
  }
  const fault =
    route.fault === undefined ? undefined : decideFault(route.fault, Math.random(), Math.random());
  if (fault && fault.delayMs > 0) {
    flags |= Flag.DI;
    await sleep(fault.delayMs);
  }
  if (fault && fault.abortStatus > 0) {
    flags |= Flag.FI;
    reply('FI', fault.abortStatus);
    return;
  }
  const b3 = span.b3Headers();
  const upstreamHeaders = upstreamH2Headers(headers, b3, PEER_HEADER);
  const result = await tries(
    ctx,
    rt,
    route,
    upstreamHeaders,
    body,
    span,
    () => downstreamGone,
    (ep) => {
      destination = ep.destination;
      source = ep.mtls ? ctx.selfMtls : ctx.self;
      upstream.host = ep.config.key;
    },
  );
  flags |= result.flags;
  if (result.kind === 'gone') {
    finish(0, undefined, 0, 0);
    return;
  }
  if (result.kind === 'local') {
    reply(result.reply);
    return;
  }
  const { t, head, release } = result;
  relayResponse(
    t,
    head,
    stream,
    flags ? { 'x-envoy-response-flags': flagString(flags) } : {},
    (r: RelayResult) => {
      release();
      if (r.reset) flags |= Flag.UR;
      finish(r.status, grpc ? r.grpcStatus : undefined, r.responseBytes, r.responseMessages);
    },
  );
}

type EgressResult =
  | { kind: 'refused'; flags: number; status: number; text: string }
  | { kind: 'response'; flags: number; host: string; t: H2Try; head: Awaited<H2Try['result']> };

/**
 * A stream for a host outside the registry or the Sidecar scope: BlackHoleCluster refuses it (502, NR,
 * the reason in words); PassthroughCluster forwards it as-is to the host and port the app named (h2c,
 * Envoy's original-destination cluster keeps the downstream protocol), one try.
 */
async function egressStream(
  ctx: ListenerContext,
  egress: Extract<EgressDecision, { kind: 'passthrough' | 'blackhole' }>,
  target: { hostname: string; port: number },
  headers: IncomingHttpHeaders,
  body: RequestBody,
  span: HopSpan,
): Promise<EgressResult> {
  if (ctx.passthrough?.loopsBack(target.hostname, target.port)) {
    // The app named the sidecar's own listener: forwarding would loop forever.
    span.setAttribute('meshlens.egress.refused', 'the host is this sidecar');
    return { kind: 'refused', flags: Flag.NR, status: 404, text: 'route not found' };
  }
  if (egress.kind === 'blackhole' || ctx.passthrough === undefined) {
    span.setAttribute('meshlens.egress.refused', egress.reason);
    return { kind: 'refused', flags: Flag.NR, status: 502, text: `refused by the mesh: ${egress.reason}` };
  }
  const host = `${target.hostname}:${target.port}`;
  span.setAttribute('peer.address', host);
  const t = new H2Try(
    ctx.passthrough.h2(target.hostname, target.port),
    upstreamH2Headers(headers, span.b3Headers(), PEER_HEADER),
    body,
    Number.POSITIVE_INFINITY,
  );
  const head = await t.result;
  const outcome = head.outcome;
  span.addAttempt({
    attempt: 1,
    endpoint: host,
    statusCode: outcome.kind === 'response' ? outcome.status : 0,
    responseFlags: flagString(failureFlag(outcome)),
    durationMs: 0,
  });
  if (outcome.kind !== 'response') {
    const flag = failureFlag(outcome) || Flag.UC;
    const local = LOCAL_REPLY[flag === Flag.UF ? 'UF' : 'UC'];
    return { kind: 'refused', flags: flag, status: local.status, text: local.body };
  }
  return { kind: 'response', flags: 0, host, t, head };
}

type TriesResult =
  | { kind: 'gone'; flags: number }
  | { kind: 'local'; flags: number; reply: 'UH' | 'UO' | 'UF' | 'UC' | 'UT' }
  | {
      kind: 'response';
      flags: number;
      t: H2Try;
      head: Awaited<H2Try['result']>;
      release: () => void;
    };

async function tries(
  ctx: ListenerContext,
  rt: ClusterRuntime,
  route: { timeoutMs: number; retry: import('./retry').RetryPolicy },
  headers: import('node:http2').OutgoingHttpHeaders,
  body: RequestBody,
  span: HopSpan,
  gone: () => boolean,
  onEndpoint: (ep: EndpointRuntime) => void,
): Promise<TriesResult> {
  const policy = route.retry;
  const start = performance.now();
  const deadline = route.timeoutMs > 0 ? start + route.timeoutMs : Number.POSITIVE_INFINITY;
  let tried: Set<EndpointRuntime> | undefined;
  let flags = 0;
  for (let attempt = 1; ; attempt++) {
    const ep = rt.pick(tried, Date.now());
    if (ep === undefined) return { kind: 'local', flags: flags | Flag.UH, reply: 'UH' };
    onEndpoint(ep);
    const slot = rt.acquire();
    if (slot === OVERFLOW) {
      rt.stats.pendingOverflow();
      return { kind: 'local', flags: flags | Flag.UO, reply: 'UO' };
    }
    if (slot !== true && !(await slot.ready)) return { kind: 'gone', flags };
    if (gone()) {
      rt.breaker.release();
      return { kind: 'gone', flags };
    }
    ep.activeRequests++;
    const release = () => {
      ep.activeRequests--;
      rt.breaker.release();
    };
    const tryStart = performance.now();
    const remaining = deadline - tryStart;
    const timeout = policy.perTryTimeoutMs > 0 ? Math.min(policy.perTryTimeoutMs, remaining) : remaining;
    const headersForEp = ep.mtls ? { ...headers, [PEER_HEADER]: ctx.peerHeader } : headers;
    const t = new H2Try(h2PoolOf(ep), headersForEp, body, timeout);
    const head = await t.result;
    const outcome = head.outcome;
    const status = outcome.kind === 'response' ? outcome.status : 0;
    if (ep.mtls && outcome.kind === 'response') onEndpoint(ep);
    rt.recordResult(ep, outcome.kind === 'response' ? status : 'local-failure', Date.now());
    const tryFlag = failureFlag(outcome);
    span.addAttempt({
      attempt,
      endpoint: ep.config.key,
      statusCode: status,
      responseFlags: flagString(tryFlag),
      durationMs: performance.now() - tryStart,
    });
    if (gone()) {
      t.abort();
      release();
      return { kind: 'gone', flags };
    }
    const globalTimeout = outcome.kind === 'per-try-timeout' && performance.now() >= deadline - 1;
    const retriable = isRetriable(policy, outcome) && body.replayable;
    if (retriable && !globalTimeout && attempt <= policy.retries) {
      if (rt.activeRetries >= rt.config.pool.maxRetries) rt.stats.retryOverflow();
      else {
        body.detach();
        t.abort();
        release();
        rt.stats.retry();
        rt.activeRetries++;
        tried ??= new Set();
        tried.add(ep);
        await sleep(Math.min(backoffMs(attempt, Math.random()), Math.max(0, deadline - performance.now())));
        rt.activeRetries--;
        if (performance.now() >= deadline) return { kind: 'local', flags: flags | Flag.UT, reply: 'UT' };
        continue;
      }
    } else if (retriable && policy.retries > 0 && attempt > policy.retries) {
      flags |= Flag.URX;
      rt.stats.retryLimitExceeded();
    } else if (attempt > 1 && outcome.kind === 'response' && !retriable) rt.stats.retrySuccess();
    if (outcome.kind !== 'response') {
      release();
      const f = globalTimeout ? Flag.UT : tryFlag;
      return { kind: 'local', flags: flags | f, reply: f === Flag.UT ? 'UT' : f === Flag.UF ? 'UF' : 'UC' };
    }
    return { kind: 'response', flags, t, head, release };
  }
}
