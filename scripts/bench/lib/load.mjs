// Load generator, run as its own process: raw HTTP/1.1 keep-alive connections (no client library in the
// way, so it outruns the proxies it measures), either a fixed number of requests in flight (closed loop,
// for throughput) or a fixed request rate (open loop, for latency). Prints one JSON line of results.
//   node load.mjs '{"port":8080,"path":"/","host":"reviews","connections":32,"durationMs":5000,"warmupMs":1000}'
//   add "rate": 500 for a fixed rate (requests are spread over the connections; latency from send to last byte).
import net from 'node:net';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const {
  port,
  address = '127.0.0.1',
  path = '/',
  host = `127.0.0.1:${port}`,
  connections = 32,
  durationMs = 5000,
  warmupMs = 1000,
  rate,
  headers = {},
} = cfg;

const request = Buffer.from(
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: meshlens-bench\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`,
);

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');
let latencies = new Float64Array(1 << 16);
let recorded = 0;
let errors = 0;
let non2xx = 0;
const statuses = {};
const t0 = performance.now();
const measureFrom = t0 + warmupMs;
const stopAt = measureFrom + durationMs;
let measuredStart = 0;
let measuredEnd = 0;
let measuredCount = 0;

let completed = 0;

function record(latencyMs, status, sentAt) {
  completed++;
  if (sentAt < measureFrom) return;
  if (measuredCount === 0) measuredStart = sentAt;
  measuredEnd = performance.now();
  measuredCount++;
  statuses[status] = (statuses[status] ?? 0) + 1;
  if (status < 200 || status > 299) non2xx++;
  if (recorded === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2);
    bigger.set(latencies);
    latencies = bigger;
  }
  latencies[recorded++] = latencyMs;
}

/** One keep-alive connection that sends one request at a time and parses the responses. */
class Connection {
  constructor(onIdle) {
    this.onIdle = onIdle;
    this.busy = false;
    this.buf = Buffer.alloc(0);
    this.socket = undefined;
    this.connect();
  }

  connect() {
    this.socket = net.connect({ port, host: address, noDelay: true });
    this.socket.on('data', (d) => this.onData(d));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      if (this.busy) {
        errors++;
        this.busy = false;
      }
      this.buf = Buffer.alloc(0);
      if (!stopping) this.connect();
      this.onIdle(this);
    });
    this.socket.on('connect', () => {
      if (!this.busy) this.onIdle(this);
    });
  }

  send() {
    this.busy = true;
    this.sentAt = performance.now();
    this.socket.write(request);
  }

  onData(d) {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    for (;;) {
      const headerEnd = this.buf.indexOf(HEADER_END);
      if (headerEnd < 0) return;
      const head = this.buf.subarray(0, headerEnd).toString('latin1');
      const status = Number(head.slice(9, 12));
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      let end;
      if (cl) {
        end = headerEnd + 4 + Number(cl[1]);
        if (this.buf.length < end) return;
      } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
        const at = this.buf.indexOf(CHUNKED_END, headerEnd + 4);
        if (at < 0) return;
        end = at + CHUNKED_END.length;
      } else {
        end = headerEnd + 4;
      }
      this.buf = this.buf.subarray(end);
      if (!this.busy) continue;
      this.busy = false;
      record(performance.now() - this.sentAt, status, this.sentAt);
      this.onIdle(this);
    }
  }
}

let stopping = false;
const pool = [];

function finish() {
  stopping = true;
  const sorted = latencies.subarray(0, recorded).sort();
  const pct = (p) =>
    recorded === 0 ? Number.NaN : sorted[Math.min(recorded - 1, Math.floor((p / 100) * recorded))];
  const seconds = (measuredEnd - measuredStart) / 1000;
  const result = {
    requests: measuredCount,
    completed,
    rps: seconds > 0 ? measuredCount / seconds : 0,
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    max: recorded === 0 ? Number.NaN : sorted[recorded - 1],
    errors,
    non2xx,
    statuses,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  for (const c of pool) c.socket.destroy();
  process.exit(0);
}

if (rate === undefined) {
  // Closed loop: every idle connection sends again until the end of the run.
  const onIdle = (c) => {
    if (!stopping && !c.busy && performance.now() < stopAt && c.socket.readyState === 'open') c.send();
  };
  for (let i = 0; i < connections; i++) pool.push(new Connection(onIdle));
} else {
  // Open loop: requests due at `rate`/s go to an idle connection; if none is idle they wait their turn.
  const idle = [];
  let due = 0;
  const onIdle = (c) => {
    if (c.busy || c.socket.readyState !== 'open') return;
    if (due > 0 && !stopping) {
      due--;
      c.send();
    } else if (!idle.includes(c)) idle.push(c);
  };
  for (let i = 0; i < connections; i++) pool.push(new Connection(onIdle));
  let scheduled = 0;
  const tick = () => {
    const now = performance.now();
    if (now >= stopAt) return;
    const target = Math.floor(((now - t0) * rate) / 1000);
    due += target - scheduled;
    scheduled = target;
    while (due > 0 && idle.length > 0) {
      const c = idle.shift();
      if (c.busy || c.socket.readyState !== 'open') continue;
      due--;
      c.send();
    }
    // A timer, not a busy loop: the generator must not take a core from the proxies it measures.
    setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
}

const waitForInFlight = () => {
  if (pool.every((c) => !c.busy) || performance.now() > stopAt + 5000) finish();
  else setTimeout(waitForInFlight, 5);
};
setTimeout(waitForInFlight, stopAt - performance.now());
