// Loaded into the bench's Next server with `node --require` (never by the dashboard itself): what the graph bench
// asks a running server from outside, over a Unix socket `probe-<pid>.sock` in `MESHLENS_BENCH_PROBE_DIR`, one
// command a connection:
// - `memory`: the process' memory as Node and V8 see it (resident, V8 heap used and total, external and
//   ArrayBuffers, in bytes) as one JSON line;
// - `gc`: the same after a full garbage collection (what the heap holds, not the garbage waiting for a GC).
// Both also give the process' clock (`now`).
// With `MESHLENS_BENCH_CLOCK_START_S` (Unix seconds) the process' `Date.now` starts at that time when this file
// is loaded and runs at the real pace from there: a live graph (no `queryTime`) of a mesh whose data was
// backfilled earlier, as if its data were the last minute's.
const { createServer } = require('node:net');
const { join } = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

const clockStart = Number(process.env.MESHLENS_BENCH_CLOCK_START_S);
if (Number.isFinite(clockStart) && clockStart > 0) {
  const realNow = Date.now;
  const shift = clockStart * 1000 - realNow();
  Date.now = () => realNow() + shift;
}

const dir = process.env.MESHLENS_BENCH_PROBE_DIR;
if (dir) {
  let gc;
  const fullGc = () => {
    if (!gc) {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc');
    }
    gc();
  };
  const memory = () => {
    const m = process.memoryUsage();
    return {
      pid: process.pid,
      // The process' clock (shifted when MESHLENS_BENCH_CLOCK_START_S is set), ms since the epoch.
      now: Date.now(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      malloced: v8.getHeapStatistics().malloced_memory,
    };
  };
  const server = createServer((socket) => {
    socket.setEncoding('utf8');
    let line = '';
    socket.on('data', (chunk) => {
      line += chunk;
      if (!line.includes('\n')) return;
      const command = line.trim();
      if (command === 'gc') fullGc();
      socket.end(
        `${JSON.stringify(command === 'gc' || command === 'memory' ? memory() : { error: command })}\n`,
      );
    });
    socket.on('error', () => {});
  });
  server.listen(join(dir, `probe-${process.pid}.sock`));
  server.unref();
}
