// The sidecar's recent access log: one entry per finished request (HTTP/1.x, an HTTP/2 stream, a gRPC
// call) or TCP connection, with Envoy's (Istio's JSON) access-log fields, kept in a bounded in-memory
// ring that the admin port serves at /access_log?limit=N.

/** Entries kept by default (oldest dropped first); `--access-log-entries` changes it. */
export const ACCESS_LOG_ENTRIES = 500;
/** Most entries one /access_log answer carries. */
export const MAX_ACCESS_LOG_LIMIT = 1000;
/** Longest path kept in an entry (longer ones are cut, with `…`): a long query string cannot grow memory. */
export const MAX_LOGGED_PATH = 512;
/** Longest header value kept (x-request-id, user-agent, authority). */
export const MAX_LOGGED_HEADER = 128;

/** One request as Envoy's JSON access log writes it (Istio's default `accessLogEncoding: JSON` keys). */
export interface AccessLogEntry {
  /** ISO time the request started. */
  start_time: string;
  /** `inbound` (reporter destination) or `outbound` (reporter source). */
  direction: 'inbound' | 'outbound';
  /** `-` for a TCP connection (Envoy's tcp_proxy log has no method, path or protocol). */
  method: string;
  path: string;
  /** `HTTP/1.1`, `HTTP/2`, or `-` for TCP. */
  protocol: string;
  /** 0 when no response was sent, and for TCP. */
  response_code: number;
  /** A gRPC call's status code (Envoy's %GRPC_STATUS_NUMBER%), `-` for anything else. */
  grpc_status: string;
  /** Envoy's response flags, `-` when none. */
  response_flags: string;
  bytes_received: number;
  bytes_sent: number;
  /** Milliseconds, whole. */
  duration: number;
  /** `host:port` of the endpoint that answered, `-` when none was reached. */
  upstream_host: string;
  /** `outbound|9080|v1|reviews.default.svc.cluster.local`, `inbound|<port>||`, or `-`. */
  upstream_cluster: string;
  authority: string;
  request_id: string;
  user_agent: string;
  /** The B3 trace id when the request was sampled (so a log line links to its trace), else `-`. */
  trace_id: string;
  /**
   * Envoy's `%UPSTREAM_TRANSPORT_FAILURE_REASON%`: why the upstream connection failed at the transport
   * (`TLS error: …CERTIFICATE_VERIFY_FAILED`), else `-`.
   */
  upstream_transport_failure_reason: string;
}

/** What a listener knows when a request ends; the ring makes it an entry. */
export interface AccessLogInput {
  direction: AccessLogEntry['direction'];
  /** Date.now() at the start. */
  startMs: number;
  method: string;
  path: string;
  /** `HTTP/1.x` minor version; undefined for HTTP/2. */
  httpVersionMinor?: number;
  /** Overrides the protocol told by httpVersionMinor (`-` for TCP). */
  protocol?: string;
  grpcStatus?: number | undefined;
  headers: Record<string, string | string[] | undefined>;
  responseCode: number;
  responseFlags: string;
  requestBytes: number;
  responseBytes: number;
  durationMs: number;
  upstreamHost?: string;
  upstreamCluster?: string;
  traceId?: string | undefined;
  transportFailureReason?: string | undefined;
}

function header(headers: AccessLogInput['headers'], name: string): string {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || s === '') return '-';
  return clip(s, MAX_LOGGED_HEADER);
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * An entry as the ring holds it: the raw fields (values already clipped, so memory stays bounded), made
 * into an `AccessLogEntry` (ISO time, `-` for what is absent) only when /access_log is read. Recording a
 * request is then a few field stores, not a date format and two objects built by spreading.
 */
class RawEntry {
  constructor(
    readonly direction: AccessLogEntry['direction'],
    readonly startMs: number,
    readonly method: string,
    readonly path: string,
    readonly protocol: string | undefined,
    readonly httpVersionMinor: number | undefined,
    readonly grpcStatus: number | undefined,
    readonly authority: string,
    readonly requestId: string,
    readonly userAgent: string,
    readonly responseCode: number,
    readonly responseFlags: string,
    readonly requestBytes: number,
    readonly responseBytes: number,
    readonly durationMs: number,
    readonly upstreamHost: string | undefined,
    readonly upstreamCluster: string | undefined,
    readonly traceId: string | undefined,
    readonly transportFailureReason: string | undefined,
  ) {}
}

function rawEntry(i: AccessLogInput): RawEntry {
  return new RawEntry(
    i.direction,
    i.startMs,
    clip(i.method, 16),
    clip(i.path, MAX_LOGGED_PATH),
    i.protocol,
    i.httpVersionMinor,
    i.grpcStatus,
    header(i.headers, 'host'),
    header(i.headers, 'x-request-id'),
    header(i.headers, 'user-agent'),
    i.responseCode,
    i.responseFlags,
    i.requestBytes,
    i.responseBytes,
    i.durationMs,
    i.upstreamHost,
    i.upstreamCluster,
    i.traceId,
    i.transportFailureReason === undefined ? undefined : clip(i.transportFailureReason, MAX_LOGGED_PATH),
  );
}

function formatEntry(r: RawEntry): AccessLogEntry {
  return {
    start_time: new Date(r.startMs).toISOString(),
    direction: r.direction,
    method: r.method,
    path: r.path,
    protocol: r.protocol ?? (r.httpVersionMinor === undefined ? 'HTTP/2' : `HTTP/1.${r.httpVersionMinor}`),
    response_code: r.responseCode,
    grpc_status: r.grpcStatus === undefined ? '-' : String(r.grpcStatus),
    response_flags: r.responseFlags || '-',
    bytes_received: r.requestBytes,
    bytes_sent: r.responseBytes,
    duration: Math.max(0, Math.round(r.durationMs)),
    upstream_host: r.upstreamHost || '-',
    upstream_cluster: r.upstreamCluster || '-',
    authority: r.authority,
    request_id: r.requestId,
    user_agent: r.userAgent,
    trace_id: r.traceId || '-',
    upstream_transport_failure_reason: r.transportFailureReason || '-',
  };
}

/** The entry for a finished request (pure: header values and the path clipped to their limits). */
export function accessLogEntry(i: AccessLogInput): AccessLogEntry {
  return formatEntry(rawEntry(i));
}

/** What a request's end tells the log (the listener's own record of it). */
export interface RequestEnd {
  responseCode: number;
  responseFlags: string;
  requestBytes: number;
  responseBytes: number;
  traceId?: string | undefined;
  /** The transport failure of the last upstream connection tried (a TLS error), when there was one. */
  transportFailureReason?: string | undefined;
  grpcStatus?: number | undefined;
  /** The duration the listener measured (its metrics' sample), so the clock is not read again. */
  durationMs?: number | undefined;
}

/** What a TCP connection's end tells the log (bytes as Envoy counts them: from and to the downstream). */
export interface ConnectionEnd {
  responseFlags: string;
  bytesReceived: number;
  bytesSent: number;
  /** `host:port` the connection was for (CONNECT's target), if any. */
  authority?: string;
  traceId?: string | undefined;
}

/** The request as the listeners hold it (node:http's IncomingMessage or the fast path's request). */
export interface LoggedRequest {
  method?: string | undefined;
  url?: string | undefined;
  headers: AccessLogInput['headers'];
  httpVersionMinor?: number;
}

/** How long the access log's wall clock is carried on the monotonic clock before Date.now() is read again. */
const WALL_CLOCK_REFRESH_MS = 1000;

/** A fixed-size ring of the newest entries: recording is O(1) and memory never passes the capacity. */
export class AccessLog {
  private readonly ring: (RawEntry | undefined)[];
  private next = 0;
  private count = 0;
  /** Entries recorded since start, including those the ring has dropped. */
  total = 0;
  private wallOffset = 0;
  private wallAt = Number.NEGATIVE_INFINITY;

  /** `inbound`: where inbound requests go (the local app), logged as their upstream host and cluster. */
  constructor(
    readonly capacity: number = ACCESS_LOG_ENTRIES,
    private readonly inbound: { host: string; cluster: string } = { host: '-', cluster: '-' },
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`access log capacity must be a positive integer, not ${capacity}`);
    this.ring = new Array(capacity);
  }

  /** The listeners' hook: `startPerf` is performance.now() at the request's start. */
  log(
    direction: AccessLogEntry['direction'],
    req: LoggedRequest,
    startPerf: number,
    end: RequestEnd,
    upstream: { host?: string; cluster?: string } = direction === 'inbound' ? this.inbound : {},
  ): void {
    const durationMs = end.durationMs ?? performance.now() - startPerf;
    const h = req.headers;
    this.push(
      new RawEntry(
        direction,
        this.wallClock(startPerf + durationMs) - durationMs,
        clip(req.method ?? 'GET', 16),
        clip(req.url ?? '/', MAX_LOGGED_PATH),
        undefined,
        req.httpVersionMinor,
        end.grpcStatus,
        header(h, 'host'),
        header(h, 'x-request-id'),
        header(h, 'user-agent'),
        end.responseCode,
        end.responseFlags,
        end.requestBytes,
        end.responseBytes,
        durationMs,
        upstream.host || undefined,
        upstream.cluster || undefined,
        end.traceId || undefined,
        end.transportFailureReason === undefined
          ? undefined
          : clip(end.transportFailureReason, MAX_LOGGED_PATH),
      ),
    );
  }

  /** A TCP connection's end (`startPerf`: performance.now() when it was accepted). */
  logConnection(
    direction: AccessLogEntry['direction'],
    startPerf: number,
    end: ConnectionEnd,
    upstream: { host?: string; cluster?: string } = direction === 'inbound' ? this.inbound : {},
  ): void {
    const durationMs = performance.now() - startPerf;
    this.record({
      direction,
      startMs: Date.now() - durationMs,
      method: '-',
      path: '-',
      protocol: '-',
      headers: end.authority ? { host: end.authority } : {},
      responseCode: 0,
      responseFlags: end.responseFlags,
      requestBytes: end.bytesReceived,
      responseBytes: end.bytesSent,
      durationMs,
      ...(upstream.host ? { upstreamHost: upstream.host } : {}),
      ...(upstream.cluster ? { upstreamCluster: upstream.cluster } : {}),
      ...(end.traceId ? { traceId: end.traceId } : {}),
    });
  }

  record(input: AccessLogInput): void {
    this.push(rawEntry(input));
  }

  /**
   * The wall clock at `perfNow` (performance.now() of the moment): Date.now() read at most once a second
   * (~0.1 µs a read on a VM) and carried forward on the monotonic clock in between; a step of the wall clock
   * shows within a second.
   */
  private wallClock(perfNow: number): number {
    if (perfNow - this.wallAt >= WALL_CLOCK_REFRESH_MS || perfNow < this.wallAt) {
      this.wallOffset = Date.now() - perfNow;
      this.wallAt = perfNow;
    }
    return this.wallOffset + perfNow;
  }

  private push(entry: RawEntry): void {
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    this.total++;
  }

  /** The newest `limit` entries, newest first. */
  recent(limit: number): AccessLogEntry[] {
    const n = Math.min(Math.max(0, Math.floor(limit)), this.count);
    const out: AccessLogEntry[] = [];
    for (let k = 1; k <= n; k++) {
      const e = this.ring[(this.next - k + this.capacity) % this.capacity];
      if (e) out.push(formatEntry(e));
    }
    return out;
  }
}

/** `?limit=N` of /access_log: a whole number 1..MAX_ACCESS_LOG_LIMIT (default 100), else an error in words. */
export function parseAccessLogLimit(
  raw: string | null,
): { ok: true; limit: number } | { ok: false; error: string } {
  if (raw === null || raw === '') return { ok: true, limit: 100 };
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_ACCESS_LOG_LIMIT)
    return {
      ok: false,
      error: `limit must be a whole number from 1 to ${MAX_ACCESS_LOG_LIMIT}, not ${JSON.stringify(raw.slice(0, 40))}`,
    };
  return { ok: true, limit: n };
}
