// A listener's HTTP/2 side: connections the protocol detection found to speak HTTP/2 (the preface, or
// ALPN h2 after TLS) become sessions here, each stream handed to the outbound or inbound chain with the
// connection's security. A malformed frame ends the session with GOAWAY (nghttp2 picks the error code,
// PROTOCOL_ERROR or FRAME_SIZE_ERROR, as Envoy's codec does) and is counted; the sidecar lives on.
import {
  createServer,
  type Http2Server,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { Socket } from 'node:net';
import { type ConnectionSecurity, PLAINTEXT, securityOf } from './inbound-transport';

/** Streams one HTTP/2 connection may have open at once (Envoy: max_concurrent_streams). */
export const MAX_CONCURRENT_STREAMS = 1024;
/** Bytes one HTTP/2 session may buffer, in MB (nghttp2's maxSessionMemory). */
export const MAX_SESSION_MEMORY_MB = 32;

export interface H2ListenerOptions {
  name: string;
  onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, security: ConnectionSecurity): void;
  /** A session broken by a protocol error from the peer (reported with the DPE flag). */
  onProtocolError(security: ConnectionSecurity): void;
  idleTimeoutMs: number;
  log: (line: string) => void;
  maxConcurrentStreams?: number;
}

export class H2Listener {
  readonly server: Http2Server;
  private readonly sessions = new WeakMap<Http2Session, ConnectionSecurity>();
  private readonly open = new Set<Http2Session>();
  /** The security of the connection being handed over (the 'session' event comes synchronously). */
  private handing: ConnectionSecurity = PLAINTEXT;

  constructor(private readonly o: H2ListenerOptions) {
    this.server = createServer({
      maxSessionMemory: MAX_SESSION_MEMORY_MB,
      settings: { maxConcurrentStreams: o.maxConcurrentStreams ?? MAX_CONCURRENT_STREAMS },
    });
    this.server.on('session', (session: Http2Session) => {
      const security = this.handing;
      this.sessions.set(session, security);
      this.open.add(session);
      session.once('close', () => this.open.delete(session));
      session.on('error', (err: Error & { code?: string }) => {
        // Reported once per broken session; nghttp2 has sent GOAWAY with the error's code.
        this.o.onProtocolError(security);
        this.o.log(`${this.o.name}: HTTP/2 session error: ${err.code ?? err.message}`);
      });
      session.setTimeout(this.o.idleTimeoutMs, () => session.close());
    });
    this.server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
      stream.on('error', () => {});
      const security = this.sessions.get(stream.session as Http2Session) ?? PLAINTEXT;
      try {
        this.o.onStream(stream, headers, security);
      } catch (err) {
        this.o.log(`${this.o.name}: HTTP/2 stream failed: ${String(err)}`);
        if (!stream.destroyed) stream.close(2);
      }
    });
    this.server.on('sessionError', () => {});
  }

  /** Serves a connection that speaks HTTP/2 (plain with the preface in its buffer, or TLS with ALPN h2). */
  accept(socket: Socket): void {
    this.handing = securityOf(socket);
    try {
      this.server.emit('connection', socket);
    } finally {
      this.handing = PLAINTEXT;
    }
    // Not resumed: the session reads the socket's handle itself (bytes already peeked included).
  }

  /** Stops new streams (GOAWAY) on every session; `force` destroys them. */
  closeAll(force: boolean): void {
    for (const s of this.open) {
      if (force) s.destroy();
      else s.close();
    }
  }
}
