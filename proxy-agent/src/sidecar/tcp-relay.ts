// How a proxied TCP connection's bytes move from one socket to the other. A plain TCP socket is switched
// to reads into a buffer of its own (Node's `onread` mode, which `net.Server` does not offer for accepted
// sockets): libuv otherwise reads at most 64 KiB at a time into a fresh allocation, so a byte pipe spends
// its time in read calls and garbage collection. Each read is written out at once; when the kernel does
// not take a write whole, the write still points into the buffer, so reading that side stops until it is
// out (the buffer is reused by the next read). Any other socket (TLS) relays its 'data' events, the writes
// of one event-loop turn corked into one writev.
import { Socket } from 'node:net';

/**
 * Bytes queued toward one side before reading the other pauses (Envoy's per_connection_buffer_limit_bytes
 * default), and the size of a busy socket's read buffer (one read is at most this, and is written out
 * before the next). On the 'data' path, reads that come in one event-loop turn go out in one writev; a
 * smaller limit pauses there before a turn's reads are batched (256 KiB measured no better than none).
 */
export const TCP_RELAY_BUFFER_BYTES = 1024 * 1024;
/** The read buffer of a quiet socket (a connection's first, and after a read that fills under half). */
export const TCP_QUIET_READ_BUFFER_BYTES = 16 * 1024;
/** Busy-size read buffers kept for reuse across connections once their socket went quiet or closed. */
export const TCP_SPARE_READ_BUFFERS = 8;

/** Busy-size buffers no read and no write points into, for the next socket that gets busy. */
const spare: Buffer[] = [];

function busyBuffer(): Buffer {
  return spare.pop() ?? Buffer.allocUnsafe(TCP_RELAY_BUFFER_BYTES);
}

function releaseBuffer(buffer: Buffer): void {
  if (buffer.length === TCP_RELAY_BUFFER_BYTES && spare.length < TCP_SPARE_READ_BUFFERS) spare.push(buffer);
}

/** Node's own-buffer read mode lives behind symbols its Socket sets in every instance (net.js, Node ≥ 12). */
const onreadSymbols = (() => {
  const probe = new Socket();
  const bySymbol = new Map(Object.getOwnPropertySymbols(probe).map((s) => [s.description, s]));
  probe.destroy();
  const buffer = bySymbol.get('kBuffer');
  const callback = bySymbol.get('kBufferCb');
  const generator = bySymbol.get('kBufferGen');
  return buffer && callback && generator ? { buffer, callback, generator } : undefined;
})();

/** The parts of a socket's internals the switch touches (absent on other Node versions: then no switch). */
interface SocketInternals {
  _handle?: { useUserBuffer?: (buffer: Uint8Array) => void } | null;
  _readableState?: { ended?: boolean };
  encrypted?: boolean;
  connecting: boolean;
}

/** Whether reads into the relay's own buffers work on this Node (else every socket relays 'data'). */
export function ownReadBuffersSupported(): boolean {
  return onreadSymbols !== undefined;
}

/** Relays `from`'s bytes to `to` from now on, counting them; bytes already buffered on `from` go first. */
export function relay(from: Socket, to: Socket, count: (bytes: number) => void): void {
  if (!relayOwnBuffer(from, to, count)) relayData(from, to, count);
}

/**
 * Switches a plain TCP socket to reads into its own buffer and writes each read to `to`. False (nothing
 * done) for a TLS socket, one not connected or already ended, or a Node without the mode.
 */
function relayOwnBuffer(from: Socket, to: Socket, count: (bytes: number) => void): boolean {
  const internals = from as unknown as SocketInternals;
  const handle = internals._handle;
  if (
    onreadSymbols === undefined ||
    internals.encrypted ||
    internals.connecting ||
    from.destroyed ||
    internals._readableState?.ended ||
    typeof handle?.useUserBuffer !== 'function'
  )
    return false;
  const slots = from as unknown as Record<symbol, unknown>;
  if (slots[onreadSymbols.buffer]) return false;
  // Writes not yet out (their callbacks count down); reading stops while one still points at a buffer.
  let outstanding = 0;
  let waiting = false;
  // The buffer the next read goes into, and the one a pending write points into (never the same).
  let buffer: Buffer = Buffer.allocUnsafe(TCP_QUIET_READ_BUFFER_BYTES);
  let held: Buffer | undefined;
  let lastRead = 0;
  const written = () => {
    if (--outstanding > 0) return;
    if (held !== undefined) releaseBuffer(held);
    held = undefined;
    if (waiting) {
      waiting = false;
      from.resume();
    }
  };
  // What came before the switch (bytes the protocol detection put back, reads while paused) goes first.
  for (let chunk: Buffer | null = from.read(); chunk !== null; chunk = from.read()) {
    count(chunk.length);
    outstanding++;
    to.write(chunk, written);
  }
  slots[onreadSymbols.buffer] = buffer;
  slots[onreadSymbols.callback] = (n: number, into: Buffer): boolean => {
    lastRead = n;
    count(n);
    outstanding++;
    to.write(n === into.length ? into : into.subarray(0, n), written);
    // Not all taken by the kernel now: the rest is queued, pointing into `into`. No read until it is out.
    if (to.writableLength > 0) {
      held = into;
      waiting = true;
      return false;
    }
    return true;
  };
  // Called after each read; what it returns is the next read's buffer (undefined: the same one). A full
  // read makes the socket busy (a large buffer), one under half makes it quiet (a small one); a buffer a
  // pending write points into is never read into again (another is taken), so a resume from anywhere
  // cannot overwrite bytes not yet written.
  slots[onreadSymbols.generator] = (): Buffer | undefined => {
    const busy =
      lastRead === buffer.length ||
      (buffer.length === TCP_RELAY_BUFFER_BYTES && lastRead * 2 >= buffer.length);
    const size = busy ? TCP_RELAY_BUFFER_BYTES : TCP_QUIET_READ_BUFFER_BYTES;
    if (size === buffer.length && held !== buffer) return undefined;
    if (held !== buffer) releaseBuffer(buffer);
    buffer = size === TCP_RELAY_BUFFER_BYTES ? busyBuffer() : Buffer.allocUnsafe(size);
    return buffer;
  };
  // biome-ignore lint/correctness/useHookAtTopLevel: libuv stream handle's method, not a React hook
  handle.useUserBuffer(buffer);
  // Closed: no read comes again, and no write points into the current buffer.
  from.once('close', () => releaseBuffer(buffer));
  if (outstanding > 0 && to.writableLength > 0) {
    // The bytes from before are still queued: read on once they are out.
    waiting = true;
    from.pause();
  } else from.resume();
  return true;
}

/** Relays 'data' events; writes within one event-loop turn batched. */
function relayData(from: Socket, to: Socket, count: (bytes: number) => void): void {
  let corked = false;
  const flush = () => {
    corked = false;
    to.uncork();
  };
  from.on('data', (chunk: Buffer) => {
    count(chunk.length);
    if (!corked) {
      corked = true;
      to.cork();
      setImmediate(flush);
    }
    to.write(chunk);
    // Past the limit the write has returned false, so 'drain' follows once the queue is out.
    if (to.writableLength >= TCP_RELAY_BUFFER_BYTES) from.pause();
  });
  to.on('drain', () => from.resume());
  from.resume();
}
