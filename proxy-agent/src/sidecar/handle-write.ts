// The fast path's writes on plaintext TCP sockets, made straight to the socket's libuv handle (as
// net.Socket's own _write does at its end), without the Writable path above it: no write request per
// write, no after-write tick, no Writable bookkeeping. A write the kernel takes at once (nearly all of
// them) is over when the call returns. One the kernel cannot take whole stays queued in libuv, which keeps
// every later write of the socket (direct or through socket.write) behind it; the caller gets false and
// the socket emits 'drain' once libuv has written it, as a full Writable does. `process.binding` and its
// WriteWrap are not a documented API: checked once (`checkHandleWrite`), and without them every write
// goes through socket.write.
import type { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';

/** A libuv write request (WriteWrap): only ever one this binding made, else Node aborts on a CHECK. */
interface WriteReq {
  oncomplete?: (this: WriteReq, status: number) => void;
  /** The Buffer being written, kept alive until libuv is done with it. */
  buffer?: Buffer | null;
  socket?: Socket;
  /** libuv's error message of a failed write, set by the binding. */
  error?: string;
}

interface TcpHandle {
  writeBuffer(req: WriteReq, data: Buffer): number;
  writeLatin1String(req: WriteReq, data: string): number;
  close(): void;
}

interface Writer {
  WriteWrap: new () => WriteReq;
  TCP: new (type: number) => TcpHandle;
  /** streamBaseState: the binding's results of the last write. */
  state: Int32Array;
  kBytesWritten: number;
  kLastWriteWasAsync: number;
}

/** What the check loads; tests pass their own to simulate a Node without the bindings or of another shape. */
export type BindingLoader = () => { streamWrap: unknown; tcpWrap: unknown };

// process.binding is deprecated (DEP0111) but not gone: stream_wrap and tcp_wrap are on its allow-list.
const loadBindings: BindingLoader = () => {
  const binding = (process as unknown as { binding(name: string): unknown }).binding;
  return { streamWrap: binding('stream_wrap'), tcpWrap: binding('tcp_wrap') };
};

/**
 * The bindings if `load` gives them in the expected shape, and a probe write through them answers as
 * libuv does (a write on a TCP handle that is not connected: EBADF, synchronously, nothing queued).
 */
export function checkHandleWrite(load: BindingLoader = loadBindings): Writer | { unavailable: string } {
  let streamWrap: Record<string, unknown>;
  let tcpWrap: Record<string, unknown>;
  try {
    const b = load();
    streamWrap = (b.streamWrap ?? {}) as Record<string, unknown>;
    tcpWrap = (b.tcpWrap ?? {}) as Record<string, unknown>;
  } catch (err) {
    return { unavailable: `stream_wrap cannot be loaded (${(err as Error).message})` };
  }
  const { WriteWrap, streamBaseState: state, kBytesWritten, kLastWriteWasAsync } = streamWrap;
  const { TCP, constants } = tcpWrap;
  if (typeof WriteWrap !== 'function') return { unavailable: 'stream_wrap has no WriteWrap' };
  if (
    !(state instanceof Int32Array) ||
    typeof kBytesWritten !== 'number' ||
    typeof kLastWriteWasAsync !== 'number' ||
    state.length <= Math.max(kBytesWritten, kLastWriteWasAsync)
  )
    return { unavailable: 'stream_wrap has no streamBaseState' };
  const socketType = (constants as { SOCKET?: unknown } | undefined)?.SOCKET;
  if (typeof TCP !== 'function' || typeof socketType !== 'number')
    return { unavailable: 'tcp_wrap has no TCP' };
  const proto = TCP.prototype as Record<string, unknown>;
  if (typeof proto.writeBuffer !== 'function' || typeof proto.writeLatin1String !== 'function')
    return { unavailable: 'TCP handles lack writeBuffer, writeLatin1String' };
  const w: Writer = {
    WriteWrap: WriteWrap as Writer['WriteWrap'],
    TCP: TCP as Writer['TCP'],
    state,
    kBytesWritten,
    kLastWriteWasAsync,
  };
  try {
    const seen = probe(w, socketType);
    if (seen !== 'EBADF 5 sync, EBADF 3 sync')
      return { unavailable: `a probe write on an unconnected handle gave "${seen}"` };
  } catch (err) {
    return { unavailable: `a probe write failed (${(err as Error).message})` };
  }
  return w;
}

function probe(w: Writer, socketType: number): string {
  const handle = new w.TCP(socketType);
  try {
    const req = new w.WriteWrap();
    const seen = (err: number): string =>
      `${err < 0 ? getSystemErrorName(err) : err} ${w.state[w.kBytesWritten]} ${w.state[w.kLastWriteWasAsync] === 0 ? 'sync' : 'async'}`;
    const first = seen(handle.writeBuffer(req, Buffer.from('probe')));
    return `${first}, ${seen(handle.writeLatin1String(req, 'GET'))}`;
  } finally {
    handle.close();
  }
}

let writer: Writer | null | undefined;
let reason: string | undefined;

/** This Node's bindings, checked once per process (null: every write goes through socket.write). */
function writerOnce(): Writer | null {
  if (writer === undefined) {
    const result = checkHandleWrite();
    if ('unavailable' in result) {
      writer = null;
      reason = result.unavailable;
    } else writer = result;
  }
  return writer;
}

/**
 * Checks the bindings at start-up; when they are missing or different, says so once and every write
 * goes through socket.write. `load`: a test's bindings, checked without changing the process's choice.
 */
export function resolveHandleWrite(log: (line: string) => void, load?: BindingLoader): boolean {
  let why: string | undefined;
  if (load !== undefined) {
    const result = checkHandleWrite(load);
    why = 'unavailable' in result ? result.unavailable : undefined;
  } else why = writerOnce() === null ? reason : undefined;
  if (why === undefined) return true;
  log(`meshlens sidecar: warning: fast path writes through socket.write instead of its handle: ${why}`);
  return false;
}

/** Turns direct writes off (true) or back to the check's answer: for tests of the socket.write path. */
export function disableHandleWrite(off: boolean): void {
  writer = off ? null : undefined;
}

/** Direct writes queued in libuv and not complete, per socket (absent: none yet). */
const kPending = Symbol('meshlens.pendingHandleWrites');

interface SocketInternals {
  _handle?: object | null;
  timeout?: number;
  _unrefTimer(): void;
  [kPending]?: number;
}

/**
 * Writes `data` (a latin1 string: one byte a character, or a Buffer) to `socket`, straight to its TCP
 * handle when it is a plaintext socket whose Writable holds nothing (nothing buffered or being written,
 * not corked, not ending, connected); else through socket.write. Returns false when the data waits in a
 * queue (the socket emits 'drain' after), as socket.write does past its high-water mark.
 */
export function writeOut(socket: Socket, data: Buffer | string): boolean {
  const w = writer === undefined ? writerOnce() : writer;
  const s = socket as unknown as SocketInternals;
  const handle = s._handle;
  if (
    w === null ||
    !(handle instanceof w.TCP) ||
    socket.connecting ||
    socket.writableLength !== 0 ||
    socket.writableCorked !== 0 ||
    socket.writableEnded ||
    socket.destroyed
  )
    return typeof data === 'string' ? socket.write(data, 'latin1') : socket.write(data);
  // A request the binding did not dispatch (a write done at once) is not wrapped: the next write reuses it.
  const req = spare ?? new w.WriteWrap();
  spare = undefined;
  const err = typeof data === 'string' ? handle.writeLatin1String(req, data) : handle.writeBuffer(req, data);
  if (err !== 0) {
    socket.destroy(writeError(err, req.error));
    return false;
  }
  if (s.timeout) s._unrefTimer(); // as socket.write refreshes a socket timeout
  if (w.state[w.kLastWriteWasAsync] === 0) {
    spare = req;
    return true;
  }
  // Queued in libuv: the request lives until libuv calls it back.
  req.oncomplete = onComplete;
  req.socket = socket;
  if (typeof data !== 'string') req.buffer = data;
  s[kPending] = (s[kPending] ?? 0) + 1;
  return false;
}

let spare: WriteReq | undefined;

function onComplete(this: WriteReq, status: number): void {
  const socket = this.socket as Socket;
  this.socket = undefined;
  this.buffer = null;
  const s = socket as unknown as SocketInternals;
  const left = (s[kPending] ?? 1) - 1;
  s[kPending] = left;
  if (socket.destroyed) return;
  if (status < 0) {
    socket.destroy(writeError(status, this.error));
    return;
  }
  if (s.timeout) s._unrefTimer();
  if (left === 0) socket.emit('drain');
}

function writeError(status: number, message: string | undefined): Error {
  const code = getSystemErrorName(status);
  return Object.assign(new Error(`write ${code}${message ? ` (${message})` : ''}`), {
    code,
    errno: status,
    syscall: 'write',
  });
}
