// HTTP/2 connections to one upstream (an endpoint's sidecar, or the local app): one multiplexed session,
// opened on demand over h2c (prior knowledge) or TLS with ALPN h2, replaced when it goes away, closed
// when idle. A stream's outcome says whether the connection failed (UF) or the stream was reset (UC).
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  connect,
  constants,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { UpstreamTls } from './upstream-tls';
import { H2_ALPN } from './workload-tls';

/** An idle HTTP/2 connection (no open stream) is closed after this long. */
export const H2_IDLE_TIMEOUT_MS = 4_000;
/** Most bytes an HTTP/2 session may buffer (nghttp2's maxSessionMemory, in MB). */
const MAX_SESSION_MEMORY_MB = 32;

export class H2Pool {
  private session: ClientHttp2Session | undefined;
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly tls: UpstreamTls | undefined,
    private readonly idleTimeoutMs = H2_IDLE_TIMEOUT_MS,
    /** A connection not up after this long fails its streams (UF); 0: the OS's own timeout. */
    private readonly connectTimeoutMs = 0,
  ) {}

  /** Opens a stream; `connectFailed()` tells, on its error, whether the connection never came up. */
  request(headers: OutgoingHttpHeaders): { stream: ClientHttp2Stream; connectFailed: () => boolean } {
    const session = this.current();
    const stream = session.request(headers, { endStream: false });
    return { stream, connectFailed: () => !this.connectedOf(session) };
  }

  private readonly up = new WeakSet<ClientHttp2Session>();

  private connectedOf(session: ClientHttp2Session): boolean {
    return this.up.has(session);
  }

  private current(): ClientHttp2Session {
    const s = this.session;
    if (s !== undefined && !s.closed && !s.destroyed) return s;
    const tls = this.tls;
    const session = connect(`http://${this.host}:${this.port}`, {
      maxSessionMemory: MAX_SESSION_MEMORY_MB,
      createConnection: () => {
        const socket = tls
          ? (tls.connect(H2_ALPN) as TLSSocket)
          : (netConnect(this.port, this.host).setNoDelay(true) as Socket);
        if (this.connectTimeoutMs > 0) {
          socket.setTimeout(this.connectTimeoutMs, () => socket.destroy(new Error('connect timeout')));
          socket.once(tls ? 'secureConnect' : 'connect', () => socket.setTimeout(0));
        }
        return socket;
      },
    });
    session.once('connect', () => this.up.add(session));
    // Errors reach the streams; the session's own 'error' must not crash the sidecar.
    session.on('error', () => {});
    session.once('close', () => {
      if (this.session === session) this.session = undefined;
    });
    session.once('goaway', () => {
      if (this.session === session) this.session = undefined;
    });
    session.setTimeout(this.idleTimeoutMs, () => session.close());
    this.session = session;
    if (this.closed) session.close();
    return session;
  }

  async close(): Promise<void> {
    this.closed = true;
    const s = this.session;
    this.session = undefined;
    if (s === undefined || s.destroyed) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      setTimeout(() => {
        s.destroy();
        resolve();
      }, 1_000).unref();
    });
  }
}

/** RST_STREAM code to cancel a stream the sidecar no longer wants. */
export const CANCEL = constants.NGHTTP2_CANCEL;
