// How a proxied TCP connection's bytes move from one socket to the other. A plain TCP socket is switched
// to reads into buffers of the relay's own (Node's `onread` mode, which `net.Server` does not offer for
// accepted sockets): libuv otherwise reads at most 64 KiB at a time into a fresh allocation, so a byte
// pipe spends its time in read calls and garbage collection. Each read is written out at once; a write
// the kernel does not take whole still points into its buffer, so the next read goes after it in the
// same buffer (or into another), never over it; reading stops while more than the limit is queued. Any
// other socket (TLS) relays its 'data' events, the writes of one event-loop turn corked into one writev.
import { Socket } from 'node:net';

/**
 * Bytes queued toward one side before reading the other pauses (Envoy's per_connection_buffer_limit_bytes
 * default), and the size of a busy socket's read buffer. On the 'data' path, reads that come in one
 * event-loop turn go out in one writev; a smaller limit pauses there before a turn's reads are batched
 * (256 KiB measured no better than none).
 */
export const TCP_RELAY_BUFFER_BYTES = 1024 * 1024;
/** The read buffer of a quiet socket (a connection's first, and after a read under half a busy one). */
export const TCP_QUIET_READ_BUFFER_BYTES = 16 * 1024;
/** Busy-size read buffers kept for reuse across connections once no read or write points into them. */
export const TCP_SPARE_READ_BUFFERS = 8;
/** Least room left in a buffer a pending write points into for the next read to go there. */
const MIN_READ_BYTES = 16 * 1024;

/** A read buffer and the pending writes that point into it. */
interface Chunk {
  buffer: Buffer;
  refs: number;
}

/** Busy-size buffers no read and no write points into, for the next socket that gets busy. */
const spare: Buffer[] = [];

function takeChunk(busy: boolean): Chunk {
  const buffer = busy
    ? (spare.pop() ?? Buffer.allocUnsafe(TCP_RELAY_BUFFER_BYTES))
    : Buffer.allocUnsafe(TCP_QUIET_READ_BUFFER_BYTES);
  return { buffer, refs: 0 };
}

function releaseChunk(chunk: Chunk): void {
  if (chunk.buffer.length === TCP_RELAY_BUFFER_BYTES && spare.length < TCP_SPARE_READ_BUFFERS)
    spare.push(chunk.buffer);
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
 * Switches a plain TCP socket to reads into the relay's buffers and writes each read to `to`. False
 * (nothing done) for a TLS socket, one not connected or already ended, or a Node without the mode.
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
  // The buffer reads go into, and where in it the next one starts (bytes before are still being written).
  let chunk = takeChunk(false);
  let offset = 0;
  let view: Buffer = chunk.buffer;
  let lastRead = 0;
  let closed = false;
  // One entry per write not yet called back, in order: the buffer it points into (if it was not all
  // taken by the kernel at once; undefined for those that were, or came before the switch).
  const pending: (Chunk | undefined)[] = [];
  let waiting = false;
  const written = () => {
    const c = pending.shift();
    if (c !== undefined && --c.refs === 0 && (c !== chunk || closed)) releaseChunk(c);
    if (waiting && to.writableLength < TCP_RELAY_BUFFER_BYTES) {
      waiting = false;
      from.resume();
    }
  };
  // What came before the switch (bytes the protocol detection put back, reads while paused) goes first.
  for (let bytes: Buffer | null = from.read(); bytes !== null; bytes = from.read()) {
    count(bytes.length);
    pending.push(undefined);
    to.write(bytes, written);
  }
  slots[onreadSymbols.buffer] = view;
  slots[onreadSymbols.callback] = (n: number, into: Buffer): boolean => {
    lastRead = n;
    count(n);
    to.write(n === into.length ? into : into.subarray(0, n), written);
    if (to.writableLength > 0) {
      // Queued: it points into the buffer until it is out, so the next read goes after it.
      chunk.refs++;
      pending.push(chunk);
      offset += n;
    } else {
      // Everything is out (writes complete in order): the buffer is free from its start again.
      pending.push(undefined);
      offset = 0;
    }
    if (to.writableLength >= TCP_RELAY_BUFFER_BYTES) {
      waiting = true;
      return false;
    }
    return true;
  };
  // Called after each read; what it returns is where the next read goes (undefined: where the last went).
  // A read that fills its buffer makes the socket busy (a large one), one under half a large one makes it
  // quiet again (a small one); the size changes only when nothing points into the buffer.
  slots[onreadSymbols.generator] = (): Buffer | undefined => {
    // No write points into the buffer any more: all of it is free.
    if (chunk.refs === 0) offset = 0;
    const busy = chunk.buffer.length === TCP_RELAY_BUFFER_BYTES;
    const next = lastRead === view.length ? true : busy && lastRead * 2 < view.length ? false : busy;
    if (chunk.refs === 0 && next !== busy) {
      releaseChunk(chunk);
      chunk = takeChunk(next);
      offset = 0;
    } else if (chunk.buffer.length - offset < MIN_READ_BYTES) {
      // Too little room after the bytes still being written: another buffer (this one is let go when they are out).
      chunk = takeChunk(next);
      offset = 0;
    }
    if (view.buffer === chunk.buffer.buffer && view.byteOffset === chunk.buffer.byteOffset + offset)
      return undefined;
    view = offset === 0 ? chunk.buffer : chunk.buffer.subarray(offset);
    return view;
  };
  // biome-ignore lint/correctness/useHookAtTopLevel: libuv stream handle's method, not a React hook
  handle.useUserBuffer(view);
  // Closed: no read comes again; the buffer is let go once no write points into it.
  from.once('close', () => {
    closed = true;
    if (chunk.refs === 0) releaseChunk(chunk);
  });
  if (to.writableLength >= TCP_RELAY_BUFFER_BYTES) {
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
