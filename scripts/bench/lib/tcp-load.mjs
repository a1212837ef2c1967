// TCP throughput load, run as its own process: `connections` connections to 127.0.0.1:port write 64 KiB
// chunks as fast as the path takes them (back-pressure respected); MB/s counted from the writes the
// kernel took after the warm-up. The far end (a discard sink, `--sink`) reads and drops. One JSON line.
//   node tcp-load.mjs --sink [port]            prints `listening <port>`
//   node tcp-load.mjs '{"port":8080,"connections":4,"durationMs":5000}'
import net from 'node:net';

if (process.argv[2] === '--sink') {
  const server = net.createServer((s) => {
    s.on('data', () => {});
    s.on('error', () => s.destroy());
    s.on('end', () => s.end());
  });
  server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () =>
    console.log(`listening ${server.address().port}`),
  );
} else {
  const {
    port,
    connections = 4,
    durationMs = 5000,
    warmupMs = 1000,
    chunkBytes = 64 * 1024,
  } = JSON.parse(process.argv[2] ?? '{}');
  const chunk = Buffer.alloc(chunkBytes, 0x61);
  const t0 = performance.now();
  const measureFrom = t0 + warmupMs;
  const stopAt = measureFrom + durationMs;
  let bytes = 0;
  let errors = 0;
  const sockets = [];
  for (let i = 0; i < connections; i++) {
    const s = net.connect(port, '127.0.0.1');
    sockets.push(s);
    s.on('error', () => errors++);
    const pump = () => {
      while (performance.now() < stopAt) {
        const ok = s.write(chunk, () => {
          const now = performance.now();
          if (now >= measureFrom && now < stopAt) bytes += chunkBytes;
        });
        if (!ok) return;
      }
      s.end();
    };
    s.on('connect', pump);
    s.on('drain', pump);
  }
  setTimeout(
    () => {
      console.log(JSON.stringify({ mbPerSecond: bytes / 1e6 / (durationMs / 1000), bytes, errors }));
      for (const s of sockets) s.destroy();
      process.exit(0);
    },
    stopAt - t0 + 300,
  );
}
