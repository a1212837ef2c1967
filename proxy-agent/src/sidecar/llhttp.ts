// Node's own llhttp binding (the parser behind node:http), typed for the sidecar's HTTP/1.1 fast path.
// `node:_http_common` is a built-in module of every Node release but not a documented API: its HTTPParser
// is what http.Server and http.ClientRequest parse with, so the fast path accepts and rejects exactly what
// node:http does. Because nothing promises its shape, it is loaded once at start-up, checked (the members
// the fast path uses, and one request parsed end to end) and, when missing or different, the sidecar
// runs on the node:http path instead, with a warning (`resolveFastPath`).
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

export interface LlhttpParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  /** Bytes parsed, or an Error with `code` (HPE_*) and `bytesParsed`. */
  execute(data: Buffer): number | (Error & { code?: string; bytesParsed?: number });
  /** End of input (the peer closed): completes a read-until-close message; an Error mid-message. */
  finish(): number | (Error & { code?: string }) | undefined;
  close(): void;
  free(): void;
  remove(): void;
  /** Reads a socket's stream handle directly (node:http's server does): see consumeSocket. */
  consume(handle: object): void;
  unconsume(): void;
  [key: number]: unknown;
}

/** What consumeSocket needs of a net.Socket's `_handle` (a libuv stream). */
export interface StreamHandle {
  readStart(): number;
  readStop(): number;
  reading?: boolean;
  isStreamBase?: boolean;
  _consumed?: boolean;
}

interface HTTPParserClass {
  new (): LlhttpParser;
  REQUEST: number;
  RESPONSE: number;
  kOnMessageBegin: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
}

interface Binding {
  HTTPParser: HTTPParserClass;
  /** llhttp's method table: the index given to onHeadersComplete → the method name. */
  methods: readonly string[];
}

/** What loads the module; tests pass their own to simulate a Node without it or with another shape. */
export type ModuleLoader = () => unknown;

const nodeRequire = createRequire(import.meta.url);
const loadHttpCommon: ModuleLoader = () => nodeRequire('node:_http_common');

const CONSTANTS = [
  'REQUEST',
  'RESPONSE',
  'kOnMessageBegin',
  'kOnHeaders',
  'kOnHeadersComplete',
  'kOnBody',
  'kOnMessageComplete',
];
const METHODS = ['initialize', 'execute', 'finish', 'close', 'free', 'remove'];

/** The binding if `load` gives one of the expected shape that parses a request; else why not. */
export function checkLlhttp(load: ModuleLoader = loadHttpCommon): Binding | { unavailable: string } {
  let mod: unknown;
  try {
    mod = load();
  } catch (err) {
    return { unavailable: `node:_http_common cannot be loaded (${(err as Error).message})` };
  }
  const { HTTPParser, methods } = (mod ?? {}) as Partial<Binding>;
  if (typeof HTTPParser !== 'function') return { unavailable: 'node:_http_common has no HTTPParser' };
  const missing = [
    ...CONSTANTS.filter((k) => typeof (HTTPParser as unknown as Record<string, unknown>)[k] !== 'number'),
    ...METHODS.filter((k) => typeof (HTTPParser.prototype as Record<string, unknown>)[k] !== 'function'),
  ];
  if (missing.length > 0) return { unavailable: `HTTPParser lacks ${missing.join(', ')}` };
  if (!Array.isArray(methods) || !methods.includes('GET')) {
    return { unavailable: 'node:_http_common has no method table' };
  }
  const binding = { HTTPParser, methods } as Binding;
  try {
    const seen = selfTest(binding);
    if (seen !== 'begin GET /probe h=1 body')
      return { unavailable: `HTTPParser parsed a probe as "${seen}"` };
  } catch (err) {
    return { unavailable: `HTTPParser failed on a probe (${(err as Error).message})` };
  }
  return binding;
}

/** Parses one request with a header and a body through the callbacks the fast path sets. */
function selfTest(binding: Binding): string {
  let seen = '';
  const parser = newParser(binding, 'request', 0, {
    messageBegin: () => {
      seen = 'begin';
    },
    headersComplete: (_maj, _min, headers, method, url) => {
      seen += ` ${binding.methods[method ?? -1]} ${url} ${headers[0]}=${headers[1]}`;
      return 0;
    },
    body: (chunk) => {
      seen += ` ${chunk.toString('latin1')}`;
    },
    messageComplete: () => {},
  });
  const parsed = parser.execute(Buffer.from('GET /probe HTTP/1.1\r\nh: 1\r\ncontent-length: 4\r\n\r\nbody'));
  parser.close();
  parser.free();
  if (typeof parsed !== 'number') throw parsed;
  return seen;
}

let binding: Binding | undefined;
let checked: Binding | { unavailable: string } | undefined;

/** This Node's binding, checked once per process. */
function checkedOnce(): Binding | { unavailable: string } {
  if (checked === undefined) checked = checkLlhttp();
  return checked;
}

/**
 * Whether the fast path runs: `requested`, and llhttp's binding present and of the expected shape. When it
 * is not, the sidecar serves every request through node:http (as `--no-fast-path`) and says why, once.
 */
export function resolveFastPath(
  requested: boolean,
  log: (line: string) => void,
  load?: ModuleLoader,
): boolean {
  if (!requested) return false;
  const result = load === undefined ? checkedOnce() : checkLlhttp(load);
  if ('unavailable' in result) {
    log(
      `meshlens sidecar: warning: HTTP/1.1 fast path off, serving through node:http instead: ${result.unavailable}`,
    );
    return false;
  }
  if (load === undefined) binding = result;
  return true;
}

function loaded(): Binding {
  if (binding === undefined) {
    const result = checkedOnce();
    if ('unavailable' in result) throw new Error(`HTTP/1.1 fast path unavailable: ${result.unavailable}`);
    binding = result;
  }
  return binding;
}

/**
 * Whether llhttp may read sockets itself: the binding has `consume`/`unconsume` and the execute callback
 * (what node:http's server uses). Checked with the binding; without them the fast path reads through the
 * socket's 'data' events, as it did before.
 */
function canConsume(b: Binding): boolean {
  const proto = b.HTTPParser.prototype as unknown as Record<string, unknown>;
  return (
    typeof proto.consume === 'function' &&
    typeof proto.unconsume === 'function' &&
    typeof b.HTTPParser.kOnExecute === 'number'
  );
}

/**
 * Lets `parser` read `socket`'s handle directly, as node:http's server does: libuv reads into llhttp's
 * shared buffer and llhttp parses it in C++, so a read costs no Buffer, no stream push and no 'data'
 * event. A TLS socket's handle (TLSWrap) is a stream too, as node:https's server consumes it: llhttp then
 * parses what TLS decrypted, in C++. Only for a socket with nothing buffered in its stream, not consumed
 * yet (else undefined, and the caller goes on with 'data'). The caller then pauses and resumes reading with the handle's
 * readStop/readStart (the stream's pause() no longer reaches it) and refreshes socket timeouts itself.
 */
export function consumeSocket(parser: LlhttpParser, socket: Socket): StreamHandle | undefined {
  if (!canConsume(loaded()) || socket.readableLength > 0) return undefined;
  const handle = (socket as unknown as { _handle?: StreamHandle | null })._handle;
  if (handle == null || handle.isStreamBase !== true || handle._consumed === true) return undefined;
  try {
    parser.consume(handle);
  } catch {
    return undefined;
  }
  handle._consumed = true;
  return handle;
}

/** Stops reading `socket`: through its consumed handle when llhttp reads it (`consumeSocket`), else the stream. */
export function pauseReading(socket: Socket, handle: StreamHandle | undefined): void {
  if (handle === undefined) socket.pause();
  else if (handle.reading !== false) {
    handle.reading = false;
    handle.readStop();
  }
}

/** Reads `socket` again: through its consumed handle when llhttp reads it (`consumeSocket`), else the stream. */
export function resumeReading(socket: Socket, handle: StreamHandle | undefined): void {
  if (handle === undefined) socket.resume();
  else if (handle.reading !== true) {
    handle.reading = true;
    handle.readStart();
  }
}

/**
 * Writes pieces of HTTP/1.1 output (latin1 strings: one byte a character, or Buffers) in one write: pipelined
 * requests or responses held to the end of a turn. `bytes`: their total length, when the caller kept it.
 */
export function writePieces(socket: Socket, pieces: readonly (Buffer | string)[], bytes?: number): boolean {
  if (pieces.length === 1) {
    const d = pieces[0] as Buffer | string;
    return typeof d === 'string' ? socket.write(d, 'latin1') : socket.write(d);
  }
  let size = bytes ?? 0;
  if (bytes === undefined) for (const d of pieces) size += d.length;
  const buf = Buffer.allocUnsafe(size);
  let at = 0;
  for (const d of pieces) {
    if (typeof d === 'string') at += buf.write(d, at, 'latin1');
    else at += d.copy(buf, at);
  }
  return socket.write(buf);
}

/** llhttp's method table entry: the method name of onHeadersComplete's index. */
export function methodName(index: number | undefined): string | undefined {
  return loaded().methods[index ?? -1];
}

/**
 * onHeadersComplete(versionMajor, versionMinor, headers, method, url, statusCode, statusMessage, upgrade,
 * shouldKeepAlive): return 0, or 1 to skip the body (a response to HEAD).
 */
export type OnHeadersComplete = (
  versionMajor: number,
  versionMinor: number,
  headers: string[],
  method: number | undefined,
  url: string | undefined,
  statusCode: number | undefined,
  statusMessage: string | undefined,
  upgrade: boolean,
  shouldKeepAlive: boolean,
) => number;

export interface ParserCallbacks {
  /**
   * After each read llhttp made itself from a consumed socket: what it parsed (bytes, or the parse error).
   * Set when the parser may consume a socket (a C++ → JS call per read that runs the microtasks after).
   */
  execute?: (result: number | (Error & { code?: string })) => void;
  /** The first byte of a message (optional: a C++ → JS call per message when set). */
  messageBegin?: () => void;
  headersComplete: OnHeadersComplete;
  body: (chunk: Buffer) => void;
  messageComplete: () => void;
}

/** A parser with its callbacks set; headers past llhttp's first 32 pairs arrive in kOnHeaders first. */
export function createParser(
  kind: 'request' | 'response',
  maxHeaderSize: number,
  cb: ParserCallbacks,
): LlhttpParser {
  return newParser(loaded(), kind, maxHeaderSize, cb);
}

function newParser(
  b: Binding,
  kind: 'request' | 'response',
  maxHeaderSize: number,
  cb: ParserCallbacks,
): LlhttpParser {
  const HTTPParser = b.HTTPParser;
  const parser = new HTTPParser();
  parser.initialize(kind === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE, {}, maxHeaderSize, 0);
  let extra: string[] | undefined;
  let extraUrl = '';
  parser[HTTPParser.kOnHeaders] = (headers: string[], url: string) => {
    extra = extra === undefined ? headers.slice() : extra.concat(headers);
    extraUrl += url;
  };
  parser[HTTPParser.kOnHeadersComplete] = (
    major: number,
    minor: number,
    headers: string[] | undefined,
    method: number | undefined,
    url: string | undefined,
    status: number | undefined,
    statusMessage: string | undefined,
    upgrade: boolean,
    keepAlive: boolean,
  ) => {
    let h = headers;
    let u = url;
    if (extra !== undefined) {
      // A long head: llhttp flushed it early through kOnHeaders (node:http does the same merge).
      h = headers === undefined ? extra : extra.concat(headers);
      u = url || extraUrl;
      extra = undefined;
      extraUrl = '';
    }
    return cb.headersComplete(major, minor, h ?? [], method, u, status, statusMessage, upgrade, keepAlive);
  };
  if (cb.messageBegin !== undefined) parser[HTTPParser.kOnMessageBegin] = cb.messageBegin;
  if (cb.execute !== undefined) parser[HTTPParser.kOnExecute] = cb.execute;
  parser[HTTPParser.kOnBody] = cb.body;
  parser[HTTPParser.kOnMessageComplete] = cb.messageComplete;
  return parser;
}
