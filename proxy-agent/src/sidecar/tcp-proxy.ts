// Opaque TCP through the sidecar, as Envoy's tcp_proxy: outbound, the local app asks for a service's TCP
// port with HTTP CONNECT (there is no iptables to keep the original destination), the VirtualService's
// `tcp` routes pick a destination by weight and port, the DestinationRule's maxConnections caps
// connections (UO), and bytes flow both ways — half-closes passed on, so a peer that half-closes gets a
// clean close. Over mTLS to another sidecar, Istio's `istio-peer-exchange` ALPN carries the caller's
// peer metadata ahead of the bytes. Inbound, the bytes go to the local app. A CONNECT to a host outside
// the registry (or the Sidecar scope) follows the outbound traffic policy: tunnelled as-is to the host
// and port named under ALLOW_ANY (PassthroughCluster, the tunnels bounded in number), refused under
// REGISTRY_ONLY (502 NR, BlackHoleCluster). Each connection is counted in istio_tcp_* (both reporters),
// gets a span and an access-log entry; one idle past the idle timeout is closed.
import type { IncomingMessage } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import type { ClusterRuntime } from './cluster-manager';
import { BLACKHOLE_CLUSTER, decideEgress, PASSTHROUGH_CLUSTER } from './egress-policy';
import type { ConnectionSecurity } from './inbound-transport';
import type { ListenerContext } from './listener-context';
import { clusterFor, selectTcpRoute, UNKNOWN_WORKLOAD } from './mesh-model';
import { resolveMtlsPeer } from './peer-metadata';
import { Flag, flagString } from './response-flags';
import { pickWeighted } from './route-table';
import { relay } from './tcp-relay';
import type { HopSpan, TcpCounters, TcpRecord } from './telemetry-types';
import { PEER_EXCHANGE_ALPN } from './workload-tls';

/** Largest peer-metadata preamble accepted on an `istio-peer-exchange` connection. */
export const MAX_PEER_METADATA_BYTES = 4 * 1024;
/** How long a TCP connection to an upstream may take (Istio's default connectTimeout is 10 s). */
export const TCP_CONNECT_TIMEOUT_MS = 10_000;

/** A proxied connection with no bytes either way this long is closed (Envoy tcp_proxy's idle_timeout, 1 h). */
export const TCP_IDLE_TIMEOUT_MS = 60 * 60 * 1000;

/** Where a connection's access-log entry says it went, and when it started. */
interface SessionLog {
  direction: 'inbound' | 'outbound';
  startPerf: number;
  upstream?: { host?: string; cluster?: string };
  authority?: string;
}

/** TCP connections open per cluster, against its connectionPool.tcp.maxConnections. */
const openByCluster = new WeakMap<ClusterRuntime, number>();

/** One proxied connection: the two sockets, the counters it adds to, its span, its flags. */
class TcpSession {
  flags = 0;
  private closed = false;
  private halves = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: ListenerContext,
    private readonly record: TcpRecord,
    private counters: TcpCounters,
    private readonly span: HopSpan,
    private readonly onClose: () => void,
    private readonly log: SessionLog,
  ) {
    counters.opened++;
  }

  /** Pipes the two sockets, counting bytes; ends when both directions have ended or either breaks. */
  join(downstream: Socket, upstream: Socket, head?: Buffer, idleTimeoutMs = TCP_IDLE_TIMEOUT_MS): void {
    if (head && head.length > 0) {
      this.counters.receivedBytes += head.length;
      upstream.write(head);
    }
    const counters = this.counters;
    relay(downstream, upstream, (n) => {
      counters.receivedBytes += n;
    });
    relay(upstream, downstream, (n) => {
      counters.sentBytes += n;
    });
    // Idle: no byte either way between two checks one timeout apart (closed after one to two timeouts).
    // A socket timeout would re-arm a timer on every chunk; this costs nothing per chunk.
    let seen = -1;
    this.idleTimer = setInterval(() => {
      const moved = counters.receivedBytes + counters.sentBytes;
      if (moved !== seen) {
        seen = moved;
        return;
      }
      this.span.setAttribute('meshlens.tcp.idle_timeout_ms', idleTimeoutMs);
      this.close(downstream, upstream, true);
    }, idleTimeoutMs);
    this.idleTimer.unref();
    // A half-close is passed on; the connection is done when both sides have ended.
    const ended = () => {
      if (++this.halves === 2) this.close(downstream, upstream);
    };
    const downstreamEnded = () => {
      upstream.end();
      ended();
    };
    // A peer that half-closed before the upstream was up has had its 'end' already (a net socket emits
    // it even while paused, once its buffer is empty): pass the close on now.
    if (downstream.readableEnded) downstreamEnded();
    else downstream.once('end', downstreamEnded);
    upstream.once('end', () => {
      downstream.end();
      ended();
    });
    downstream.once('error', () => this.close(downstream, upstream));
    upstream.once('error', () => {
      this.flags |= Flag.UC;
      this.close(downstream, upstream);
    });
    downstream.once('close', () => this.close(downstream, upstream));
    upstream.once('close', () => this.close(downstream, upstream));
  }

  close(downstream: Socket | undefined, upstream: Socket | undefined, idle = false): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.idleTimer);
    // Writes still queued are flushed by end(); a broken side is destroyed (an idle one too).
    for (const s of [downstream, upstream]) {
      if (s === undefined || s.destroyed) continue;
      if (idle) {
        s.destroy();
        continue;
      }
      if (s.writableEnded) s.destroySoon();
      else s.end();
    }
    const flags = flagString(this.flags);
    const closedIn =
      flags === '-' ? this.counters : this.ctx.metrics.tcp({ ...this.record, responseFlags: flags });
    closedIn.closed++;
    this.span.setAttribute('upstream.bytes_sent', this.counters.receivedBytes);
    this.span.setAttribute('upstream.bytes_received', this.counters.sentBytes);
    this.span.end({ statusCode: 0, responseFlags: flags, error: flags !== '-' });
    logConnection(this.ctx, this.log, {
      responseFlags: flags,
      bytesReceived: this.counters.receivedBytes,
      bytesSent: this.counters.sentBytes,
      traceId: this.span.sampled ? this.span.traceId : undefined,
    });
    this.onClose();
  }
}

function logConnection(
  ctx: ListenerContext,
  log: SessionLog,
  end: { responseFlags: string; bytesReceived: number; bytesSent: number; traceId?: string | undefined },
): void {
  ctx.accessLog?.logConnection(
    log.direction,
    log.startPerf,
    { ...end, ...(log.authority ? { authority: log.authority } : {}) },
    ...(log.upstream ? [log.upstream] : []),
  );
}

/** Outbound: `CONNECT host:port` from the local app. Answers 200 once the upstream is connected. */
export function handleTcpConnect(
  ctx: ListenerContext,
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
): void {
  const startPerf = performance.now();
  socket.on('error', () => {});
  const target = req.url ?? '';
  const colon = target.lastIndexOf(':');
  const hostname = colon > 0 ? target.slice(0, colon) : target;
  const port = colon > 0 ? Number(target.slice(colon + 1)) : 0;
  const model = ctx.current();
  // The egress policy as for HTTP: a host outside the registry or the Sidecar scope is tunnelled as-is
  // under ALLOW_ANY (PassthroughCluster) and gets no connection under REGISTRY_ONLY (BlackHoleCluster;
  // Istio counts no TCP connection for it).
  const egress = decideEgress(model, ctx.self, hostname);
  const service = egress?.kind === 'service' ? egress.service : undefined;
  const log: SessionLog = { direction: 'outbound', startPerf, authority: target, upstream: {} };
  const refuse = (status: string, flag: string, text = '') => {
    logConnection(ctx, log, { responseFlags: flag, bytesReceived: 0, bytesSent: 0 });
    if (!socket.destroyed)
      socket.end(
        `HTTP/1.1 ${status}\r\nx-envoy-response-flags: ${flag}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
      );
  };
  const route = service
    ? selectTcpRoute(service, port, { app: ctx.self.app, version: ctx.self.version })
    : undefined;
  const dest = route?.destinations[pickWeighted(route.cumulative, Math.random())] ?? route?.destinations[0];
  const cluster = dest ? clusterFor(dest, port) : undefined;
  /** Set for a host outside the registry or the Sidecar scope. */
  const outside = egress && egress.kind !== 'service' ? egress : undefined;
  const clusterName =
    cluster?.name ?? (outside && (outside.kind === 'passthrough' ? PASSTHROUGH_CLUSTER : BLACKHOLE_CLUSTER));
  if (clusterName) log.upstream = { cluster: clusterName };
  const span = ctx.tracer.startClientSpan(req.headers, {
    name: cluster?.spanName ?? `${hostname}:${port}/*`,
    method: 'CONNECT',
    url: `tcp://${target}`,
    ...(clusterName ? { upstreamCluster: clusterName } : {}),
    ...(service ? { peerService: service.identity.serviceName } : {}),
    ...(outside ? { peerService: outside.identity.service } : {}),
  });
  span.setAttribute('net.protocol', 'tcp');
  const record: TcpRecord = {
    reporter: 'source',
    source: ctx.self,
    destination: UNKNOWN_WORKLOAD,
    destinationService: service?.identity ??
      outside?.identity ?? {
        service: hostname || 'unknown',
        serviceName: hostname || 'unknown',
        serviceNamespace: 'unknown',
      },
    responseFlags: '-',
  };
  const fail = (flag: number, status: string, text?: string) => {
    const flags = flagString(flag);
    const counters = ctx.metrics.tcp({ ...record, responseFlags: flags });
    counters.opened++;
    counters.closed++;
    span.end({ statusCode: 0, responseFlags: flags, error: true });
    refuse(status, flags, text);
  };
  if (egress?.kind === 'blackhole') {
    span.setAttribute('meshlens.egress.refused', egress.reason);
    span.end({ statusCode: 0, responseFlags: 'NR', error: true });
    refuse('502 Bad Gateway', 'NR', `refused by the mesh: ${egress.reason}\n`);
    return;
  }
  if (egress?.kind === 'passthrough') {
    const passthrough = ctx.passthrough;
    if (passthrough === undefined || passthrough.loopsBack(hostname, port) || !(port > 0 && port < 65536)) {
      const why =
        passthrough === undefined
          ? 'this proxy forwards no unregistered host'
          : port > 0 && port < 65536
            ? 'the host is this sidecar'
            : `${JSON.stringify(target.slice(0, 80))} names no port`;
      span.setAttribute('meshlens.egress.refused', why);
      span.end({ statusCode: 0, responseFlags: 'NR', error: true });
      refuse('502 Bad Gateway', 'NR', `refused by the mesh: ${why}\n`);
      return;
    }
    const release = passthrough.acquireTunnel();
    if (release === undefined) {
      span.setAttribute('meshlens.egress.refused', 'too many passthrough tunnels');
      fail(Flag.UO, '503 Service Unavailable', 'too many passthrough tunnels\n');
      return;
    }
    const host = `${hostname}:${port}`;
    log.upstream = { cluster: PASSTHROUGH_CLUSTER, host };
    open(ctx, socket, head, span, record, log, release, {
      connect: () => netConnect(port, hostname),
      secure: false,
      key: host,
      onConnectFailure: () => fail(Flag.UF, '503 Service Unavailable'),
      onConnected: () => undefined,
    });
    return;
  }
  if (service === undefined || cluster === undefined || cluster.protocol !== 'tcp') {
    // Only a TCP port is tunnelled; CONNECT to anything else is dropped, as before there were TCP ports.
    span.end({ statusCode: 0, responseFlags: 'NR', error: true });
    logConnection(ctx, log, { responseFlags: 'NR', bytesReceived: 0, bytesSent: 0 });
    socket.destroy();
    return;
  }
  const rt = ctx.clusters.get(cluster.name);
  if (rt === undefined) {
    fail(Flag.UH, '503 Service Unavailable');
    return;
  }
  const ep = rt.pick(undefined, Date.now());
  if (ep === undefined) {
    fail(Flag.UH, '503 Service Unavailable');
    return;
  }
  const opened = openByCluster.get(rt) ?? 0;
  if (opened >= rt.config.pool.maxConnections) {
    rt.stats.pendingOverflow();
    fail(Flag.UO, '503 Service Unavailable');
    return;
  }
  openByCluster.set(rt, opened + 1);
  const release = () => openByCluster.set(rt, (openByCluster.get(rt) ?? 1) - 1);
  log.upstream = { cluster: cluster.name, host: ep.config.key };
  open(ctx, socket, head, span, record, log, release, {
    connect: () =>
      ep.tls
        ? (ep.tls.connect(ep.mtls ? PEER_EXCHANGE_ALPN : undefined) as Socket)
        : netConnect(ep.config.port, ep.config.host),
    secure: ep.tls !== undefined,
    key: ep.config.key,
    onConnectFailure: () => {
      rt.recordResult(ep, 'local-failure', Date.now());
      fail(Flag.UF, '503 Service Unavailable');
    },
    onConnected: (upstream) => {
      if (ep.mtls) {
        // Istio's metadata exchange: the caller's peer metadata leads the stream, length-prefixed.
        const meta = Buffer.from(ctx.peerHeader, 'utf8');
        const len = Buffer.alloc(4);
        len.writeUInt32BE(meta.length);
        upstream.write(Buffer.concat([len, meta]));
      }
      return { source: ep.mtls ? ctx.selfMtls : ctx.self, destination: ep.destination };
    },
  });
}

/** How a CONNECT reaches its upstream: a registered endpoint (maybe over mTLS) or a passthrough host. */
interface UpstreamDial {
  connect(): Socket;
  /** TLS: 'secureConnect' marks the connection up. */
  secure: boolean;
  key: string;
  onConnectFailure(): void;
  /** The connection is up: what the telemetry's source and destination become (else as they were). */
  onConnected(
    upstream: Socket,
  ): { source: TcpRecord['source']; destination: TcpRecord['destination'] } | undefined;
}

/** Dials the upstream (bounded by the connect timeout), answers 200 and joins the two sockets. */
function open(
  ctx: ListenerContext,
  socket: Socket,
  head: Buffer,
  span: HopSpan,
  record: TcpRecord,
  log: SessionLog,
  release: () => void,
  dial: UpstreamDial,
): void {
  const upstream = dial.connect();
  upstream.on('error', () => {});
  upstream.setTimeout(ctx.tcpConnectTimeoutMs ?? TCP_CONNECT_TIMEOUT_MS, () =>
    upstream.destroy(new Error('connect timeout')),
  );
  let connected = false;
  upstream.once('error', () => {
    if (connected) return;
    release();
    dial.onConnectFailure();
  });
  upstream.once(dial.secure ? 'secureConnect' : 'connect', () => {
    connected = true;
    upstream.setTimeout(0);
    upstream.setNoDelay(true);
    span.setAttribute('peer.address', dial.key);
    const ids = dial.onConnected(upstream);
    const r: TcpRecord = ids ? { ...record, ...ids } : record;
    const session = new TcpSession(ctx, r, ctx.metrics.tcp(r), span, release, log);
    if (socket.destroyed) {
      session.flags |= Flag.DC;
      session.close(undefined, upstream);
      return;
    }
    socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
    session.join(socket, upstream, head, ctx.tcpIdleTimeoutMs);
  });
}

/** Reads Istio's peer-metadata preamble (4-byte length, then the encoded peer) off a socket. */
function readPeerMetadata(socket: Socket, done: (value: string | undefined) => void): void {
  let buf: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    if (buf.length < 4) return;
    const len = buf.readUInt32BE(0);
    if (len > MAX_PEER_METADATA_BYTES) {
      socket.off('data', onData);
      socket.destroy();
      return;
    }
    if (buf.length < 4 + len) return;
    socket.off('data', onData);
    socket.pause();
    const rest = buf.subarray(4 + len);
    if (rest.length > 0) socket.unshift(rest);
    done(buf.toString('utf8', 4, 4 + len));
  };
  socket.on('data', onData);
}

/** Inbound: a TCP connection for the local app (after the peer metadata, over `istio-peer-exchange`). */
export function handleTcpInbound(
  ctx: ListenerContext,
  socket: Socket,
  security: ConnectionSecurity,
  app: { host: string; port: number },
): void {
  const startPerf = performance.now();
  socket.on('error', () => {});
  const start = (peerValue: string | undefined) => {
    // Held until the app's connection is up: bytes that come meanwhile wait in the buffer.
    socket.pause();
    const source = security.mtls
      ? resolveMtlsPeer(peerValue, ctx.current(), security.peerPrincipal)
      : UNKNOWN_WORKLOAD;
    const record: TcpRecord = {
      reporter: 'destination',
      source,
      destination: security.mtls ? ctx.selfMtls : ctx.self,
      destinationService: ctx.selfService,
      connectionSecurityPolicy: security.mtls ? 'mutual_tls' : 'none',
      responseFlags: '-',
    };
    const span = ctx.tracer.startServerSpan(
      {},
      { name: ctx.inboundSpanName, method: 'CONNECT', url: `tcp://${ctx.selfService.service}` },
    );
    span.setAttribute('net.protocol', 'tcp');
    if (security.mtls) span.setAttribute('source.principal', source.principal);
    const upstream = netConnect(app.port, app.host);
    upstream.setTimeout(ctx.tcpConnectTimeoutMs ?? TCP_CONNECT_TIMEOUT_MS, () =>
      upstream.destroy(new Error('connect timeout')),
    );
    let connected = false;
    upstream.once('error', () => {
      if (connected) return;
      const counters = ctx.metrics.tcp({ ...record, responseFlags: 'UF' });
      counters.opened++;
      counters.closed++;
      span.end({ statusCode: 0, responseFlags: 'UF', error: true });
      logConnection(
        ctx,
        { direction: 'inbound', startPerf },
        { responseFlags: 'UF', bytesReceived: 0, bytesSent: 0 },
      );
      socket.destroy();
    });
    upstream.once('connect', () => {
      connected = true;
      upstream.setTimeout(0);
      upstream.setNoDelay(true);
      new TcpSession(ctx, record, ctx.metrics.tcp(record), span, () => {}, {
        direction: 'inbound',
        startPerf,
      }).join(socket, upstream, undefined, ctx.tcpIdleTimeoutMs);
      if (socket.isPaused()) socket.resume();
    });
  };
  if ((socket as Socket & { alpnProtocol?: string | false }).alpnProtocol === PEER_EXCHANGE_ALPN[0])
    readPeerMetadata(socket, start);
  else start(undefined);
}
