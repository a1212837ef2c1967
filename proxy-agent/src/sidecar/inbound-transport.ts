// The inbound port's transport, as Envoy's inbound listener with its TLS inspector: the first byte of a
// connection tells TLS (0x16, a handshake record) from plaintext, and the workload's PeerAuthentication
// decides what is let in — STRICT resets plaintext, DISABLE resets TLS, PERMISSIVE takes both. A TLS
// caller must present a certificate of the mesh's trust bundle; its SPIFFE id is the only identity the
// inbound side believes.
import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { EffectiveMtls } from './peer-authentication';
import type { PeerMemo } from './peer-metadata';
import { INBOUND_ALPN, spiffeIds, type WorkloadTls } from './workload-tls';

/** The inbound port's first byte and TLS handshake must arrive within this long of the connection. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Refused connections (handshake failures, plaintext under STRICT) are logged at most once per this long. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;
/** The first byte of a TLS record carrying a handshake (ClientHello). */
const TLS_HANDSHAKE_RECORD = 0x16;

export interface ConnectionSecurity {
  /** The caller presented a certificate the trust bundle verifies. */
  mtls: boolean;
  /** Its SPIFFE id, or 'unknown'. */
  peerPrincipal: string;
  /** The caller last resolved on this connection (peer-metadata.ts: resolveConnectionPeer). */
  peer?: PeerMemo;
}

export const PLAINTEXT: ConnectionSecurity = { mtls: false, peerPrincipal: 'unknown' };
const bySocket = new WeakMap<object, ConnectionSecurity>();

/** The security of the connection a request came on (plaintext unless its TLS handshake verified a peer). */
export function securityOf(socket: object | null | undefined): ConnectionSecurity {
  return (socket && bySocket.get(socket)) || PLAINTEXT;
}

export interface InboundTransportOptions {
  /** The sidecar's identity; without one, only plaintext is taken (and STRICT takes nothing). */
  workloadTls: WorkloadTls | undefined;
  /** The workload's effective mTLS mode now (it follows config changes). */
  mode: () => EffectiveMtls;
  /** Takes a connection that passed: the HTTP listener behind. */
  accept: (socket: Socket) => void;
  handshakeTimeoutMs: number;
  /** Connections in detection or handshake at once; more are closed. */
  maxPending: number;
  log: (line: string) => void;
  name: string;
}

export class InboundTransport {
  readonly server: Server;
  /** Counters of refused connections, by reason (exported on /certs for a look at what is refused). */
  readonly refused = { plaintextUnderStrict: 0, tlsUnderDisable: 0, handshakeFailed: 0, noCertificate: 0 };
  /** TLS handshakes completed: full, and resumed from a session ticket (the cheap kind). */
  readonly handshakes = { full: 0, resumed: 0 };
  private pending = 0;
  private lastLog = 0;

  constructor(private readonly o: InboundTransportOptions) {
    this.server = createServer({ allowHalfOpen: true }, (socket) => this.connection(socket));
  }

  private refuse(socket: Socket, reason: keyof InboundTransport['refused'], detail: string): void {
    this.refused[reason]++;
    const now = Date.now();
    if (now - this.lastLog >= REFUSAL_LOG_INTERVAL_MS) {
      this.lastLog = now;
      this.o.log(
        `${this.o.name}: connection from ${socket.remoteAddress}:${socket.remotePort} refused: ${detail}`,
      );
    }
    // Envoy resets a connection its filter chains refuse.
    if (!socket.destroyed) socket.resetAndDestroy();
  }

  private connection(socket: Socket): void {
    const mode = this.o.mode();
    const context = this.o.workloadTls?.context();
    if (context === undefined) {
      // No identity to answer TLS with: plaintext as before, unless the policy forbids it.
      if (mode === 'STRICT')
        this.refuse(socket, 'noCertificate', 'STRICT mTLS and no workload certificate yet');
      else this.o.accept(socket);
      return;
    }
    if (this.pending >= this.o.maxPending) {
      socket.destroy();
      return;
    }
    this.pending++;
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      this.pending--;
      clearTimeout(timer);
      return true;
    };
    const timer = setTimeout(() => {
      if (settle())
        this.refuse(socket, 'handshakeFailed', `no TLS handshake within ${this.o.handshakeTimeoutMs} ms`);
    }, this.o.handshakeTimeoutMs);
    socket.once('close', () => settle());
    socket.on('error', () => {});
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] !== TLS_HANDSHAKE_RECORD) {
        if (!settle()) return;
        if (mode === 'STRICT') this.refuse(socket, 'plaintextUnderStrict', 'plaintext under STRICT mTLS');
        else this.o.accept(socket);
        return;
      }
      if (mode === 'DISABLE') {
        settle();
        this.refuse(socket, 'tlsUnderDisable', 'TLS under mTLS DISABLE');
        return;
      }
      // Wrapped while the ClientHello is still in the socket's buffer: TLSSocket reads it from there.
      const tls = new TLSSocket(socket, {
        isServer: true,
        secureContext: context,
        requestCert: true,
        rejectUnauthorized: true,
        ALPNProtocols: INBOUND_ALPN,
      });
      tls.on('error', (err: Error & { code?: string }) => {
        if (settle())
          this.refuse(socket, 'handshakeFailed', `TLS handshake failed: ${err.code ?? err.message}`);
        else tls.destroy();
      });
      tls.once('secure', () => {
        if (!settle()) return;
        // A TLSSocket made outside a tls.Server never clears this at 'secure' (the server's handler
        // does); node:http2 would then wait for a 'secureConnect' that never comes.
        (tls as TLSSocket & { secureConnecting: boolean }).secureConnecting = false;
        if (tls.isSessionReused()) this.handshakes.resumed++;
        else this.handshakes.full++;
        const principal = spiffeIds(tls.getPeerCertificate()?.subjectaltname)[0] ?? 'unknown';
        bySocket.set(tls, { mtls: true, peerPrincipal: principal });
        this.o.accept(tls as unknown as Socket);
      });
    });
  }
}
