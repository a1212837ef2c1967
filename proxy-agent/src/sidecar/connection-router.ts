// Protocol detection per connection, as Envoy's listener filters do it: ALPN after TLS (h2, or Istio's
// peer exchange for TCP), a port declared TCP, else the first bytes (the HTTP/2 preface, an HTTP/1.x
// request line, or anything else: TCP). The bytes read to decide are put back for whoever takes it.
import type { Socket } from 'node:net';
import { sniffProtocol } from './protocol-sniffer';
import { PEER_EXCHANGE_ALPN } from './workload-tls';

/** How long detection waits for bytes that tell the protocol before calling the connection TCP. */
export const PROTOCOL_DETECTION_TIMEOUT_MS = 5_000;
/** Most bytes read to tell the protocol (an HTTP/1.x request line longer than this is TCP). */
const MAX_SNIFF_BYTES = 16 * 1024;

export interface ConnectionRoutes {
  http1(socket: Socket): void;
  h2(socket: Socket): void;
  tcp(socket: Socket): void;
  /** The port is declared TCP (detection skipped: server-first protocols would stall it). */
  declaredTcp(): boolean;
  detectionTimeoutMs: number;
}

export function routeConnection(socket: Socket, routes: ConnectionRoutes): void {
  const alpn = (socket as Socket & { alpnProtocol?: string | false }).alpnProtocol;
  if (alpn === 'h2') {
    routes.h2(socket);
    return;
  }
  if (alpn === PEER_EXCHANGE_ALPN[0] || routes.declaredTcp()) {
    routes.tcp(socket);
    return;
  }
  let seen: Buffer = Buffer.alloc(0);
  let decided = false;
  const decide = (to: (s: Socket) => void) => {
    if (decided) return;
    decided = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.pause();
    if (seen.length > 0) socket.unshift(seen);
    to(socket);
  };
  const onData = (chunk: Buffer) => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const p = sniffProtocol(seen);
    if (p === 'h2') decide(routes.h2);
    else if (p === 'http1') decide(routes.http1);
    else if (p === 'tcp' || seen.length >= MAX_SNIFF_BYTES) decide(routes.tcp);
  };
  // A peer that half-closes before telling: what it sent is TCP (the proxy passes the close on).
  const onEnd = () => decide(routes.tcp);
  const timer = setTimeout(() => decide(routes.tcp), routes.detectionTimeoutMs);
  socket.on('error', () => {});
  socket.on('data', onData);
  socket.once('end', onEnd);
  // The TLS peek before may have paused it (the bytes it read are back in its buffer).
  socket.resume();
  socket.once('close', () => clearTimeout(timer));
}
