// gRPC load generator, run as its own process: unary calls on raw node:http2 sessions with gRPC's own
// framing (no client library in the way, so it outruns the proxies it measures), a fixed number of calls
// in flight (closed loop). A call counts when its trailers say grpc-status 0. Prints one JSON line.
//   node grpc-load.mjs '{"port":8080,"authority":"ratings","sessions":4,"concurrency":64,"durationMs":5000}'
import http2 from 'node:http2';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const {
  port,
  authority = `127.0.0.1:${port}`,
  sessions = 4,
  concurrency = 64,
  durationMs = 5000,
  warmupMs = 1000,
} = cfg;
const payload = Buffer.from('{"id":0,"stars":5}');
const frame = Buffer.alloc(5 + payload.length);
frame.writeUInt8(0, 0);
frame.writeUInt32BE(payload.length, 1);
payload.copy(frame, 5);
const headers = {
  ':method': 'POST',
  ':path': '/bench.Echo/Unary',
  ':authority': authority,
  'content-type': 'application/grpc',
  te: 'trailers',
};

const t0 = performance.now();
const measureFrom = t0 + warmupMs;
const stopAt = measureFrom + durationMs;
let completed = 0;
let errors = 0;
const statuses = {};
const latencies = [];
let stopping = false;

const clients = Array.from({ length: sessions }, () => http2.connect(`http://127.0.0.1:${port}`));
for (const c of clients) c.on('error', () => {});

function call(client) {
  if (stopping) return;
  const start = performance.now();
  const s = client.request(headers);
  let status;
  s.on('response', (h) => {
    if (h['grpc-status'] !== undefined) status = h['grpc-status'];
  });
  s.on('trailers', (t) => {
    status = t['grpc-status'];
  });
  s.on('data', () => {});
  s.on('error', () => {});
  s.on('close', () => {
    const end = performance.now();
    if (end >= measureFrom && end < stopAt) {
      statuses[status ?? 'none'] = (statuses[status ?? 'none'] ?? 0) + 1;
      if (status === '0') {
        completed++;
        if (latencies.length < 200_000) latencies.push(end - start);
      } else errors++;
    }
    if (end >= stopAt) stopping = true;
    call(client);
  });
  s.end(frame);
}

for (let i = 0; i < concurrency; i++) call(clients[i % sessions]);
const timer = setInterval(() => {
  if (performance.now() < stopAt + 200) return;
  clearInterval(timer);
  stopping = true;
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  console.log(
    JSON.stringify({
      completed,
      errors,
      statuses,
      rps: completed / (durationMs / 1000),
      p50Ms: q(0.5),
      p99Ms: q(0.99),
    }),
  );
  for (const c of clients) c.destroy();
  process.exit(0);
}, 50);
