// The demo's TCP store, in the place of Bookinfo's MongoDB: a line protocol of its own over a plain TCP
// port (`GET <key>` → `OK <json>` | `NF`; `PING` → `PONG`), and the client ratings reads it with — one
// kept-open connection tunnelled through its sidecar with CONNECT, requests pipelined in order.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import type { AppHandle } from './app-handle';

/** Longest request line the store reads; a longer one is answered `ERR` and the connection closed. */
export const MAX_LINE_BYTES = 1024;
/** Connections the store serves at once; more are closed at accept. */
export const MAX_STORE_CONNECTIONS = 256;
/** Requests the client sends before it opens a fresh connection (drivers recycle theirs too). */
export const REQUESTS_PER_CONNECTION = 1_000;
/** Requests the client queues on its connection before it fails new ones at once. */
export const MAX_PENDING_REQUESTS = 256;
/** How long the client waits for the tunnel and for each answer before dropping the connection. */
export const STORE_TIMEOUT_MS = 5_000;

const DATA: Readonly<Record<string, string>> = {
  'ratings/0': JSON.stringify({ Reviewer1: 5, Reviewer2: 4 }),
};

/** The answer to one request line (without its newline). */
export function answer(line: string): string {
  if (line === 'PING') return 'PONG';
  if (line.startsWith('GET ')) {
    const value = DATA[line.slice(4)];
    return value === undefined ? 'NF' : `OK ${value}`;
  }
  return 'ERR unknown command';
}

/** Splits complete lines off a buffer; `rest` is the unfinished tail, `tooLong` once it passes the cap. */
export function splitLines(buffer: string): { lines: string[]; rest: string; tooLong: boolean } {
  const parts = buffer.split('\n');
  const rest = parts.pop() ?? '';
  return { lines: parts.map((l) => l.replace(/\r$/, '')), rest, tooLong: rest.length > MAX_LINE_BYTES };
}

export function startStore(port: number): Promise<AppHandle> {
  // allowHalfOpen: a client that half-closes still gets its answers, then the store closes too.
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    let buffer = '';
    socket.on('data', (chunk: string) => {
      const { lines, rest, tooLong } = splitLines(buffer + chunk);
      buffer = rest;
      const out = lines.map((l) => (l.length > MAX_LINE_BYTES ? 'ERR line too long' : answer(l)));
      if (out.length > 0) socket.write(`${out.join('\n')}\n`);
      if (tooLong || lines.some((l) => l.length > MAX_LINE_BYTES)) socket.end('ERR line too long\n');
    });
    socket.on('end', () => socket.end());
  });
  server.maxConnections = MAX_STORE_CONNECTIONS;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

type Pending = (line: string | undefined) => void;

/** One tunnelled connection to the store, with the answers it still owes (in order). */
class StoreConnection {
  readonly ready: Promise<boolean>;
  sent = 0;
  private readonly socket: Socket;
  private readonly pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(outboundPort: number, target: string) {
    const socket = tcpConnect(outboundPort, '127.0.0.1');
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    this.ready = new Promise<boolean>((resolve) => {
      let head = '';
      let tunnelled = false;
      let buffer = '';
      const giveUp = setTimeout(() => socket.destroy(), STORE_TIMEOUT_MS);
      socket.on('data', (chunk: string) => {
        if (!tunnelled) {
          head += chunk;
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) {
            if (head.length > MAX_LINE_BYTES * 8) socket.destroy();
            return;
          }
          clearTimeout(giveUp);
          if (!/^HTTP\/1\.[01] 200/.test(head)) {
            socket.destroy();
            return;
          }
          tunnelled = true;
          resolve(true);
          chunk = head.slice(end + 4);
        }
        const { lines, rest, tooLong } = splitLines(buffer + chunk);
        buffer = rest;
        if (tooLong) socket.destroy();
        for (const line of lines) this.pending.shift()?.(line);
        this.armTimer();
      });
      socket.on('error', () => socket.destroy());
      socket.on('end', () => socket.end());
      socket.on('close', () => {
        this.closed = true;
        clearTimeout(giveUp);
        this.clearTimer();
        for (const p of this.pending.splice(0)) p(undefined);
        resolve(false);
      });
    });
  }

  get usable(): boolean {
    return !this.closed && !this.socket.writableEnded;
  }

  get waiting(): number {
    return this.pending.length;
  }

  request(line: string): Promise<string | undefined> {
    if (!this.usable) return Promise.resolve(undefined);
    this.sent++;
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.armTimer();
      this.socket.write(`${line}\n`);
    });
  }

  /** Ends the connection; answers still due arrive before the store closes its side. */
  end(): void {
    this.socket.end();
  }

  /** While answers are due, each must come within STORE_TIMEOUT_MS of the one before. */
  private armTimer(): void {
    this.clearTimer();
    if (this.pending.length > 0) this.timer = setTimeout(() => this.socket.destroy(), STORE_TIMEOUT_MS);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The store as ratings sees it: through its sidecar's outbound port, by CONNECT to `host:port`. */
export class StoreClient {
  private connection: StoreConnection | undefined;

  constructor(
    private readonly outboundPort: number,
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** The value under `key`, or the reason there is none. */
  async get(key: string): Promise<{ value?: string; error?: string }> {
    let c = this.connection;
    if (c !== undefined && (!c.usable || c.sent >= REQUESTS_PER_CONNECTION)) {
      c.end();
      c = undefined;
    }
    if (c === undefined) {
      c = new StoreConnection(this.outboundPort, `${this.host}:${this.port}`);
      this.connection = c;
    }
    if (c.waiting >= MAX_PENDING_REQUESTS) return { error: 'too many pending store requests' };
    if (!(await c.ready)) {
      if (this.connection === c) this.connection = undefined;
      return { error: 'store unreachable' };
    }
    const line = await c.request(`GET ${key}`);
    if (line === undefined) return { error: 'store connection lost' };
    return line.startsWith('OK ') ? { value: line.slice(3) } : { error: `store answered ${line}` };
  }

  close(): void {
    this.connection?.end();
    this.connection = undefined;
  }
}
