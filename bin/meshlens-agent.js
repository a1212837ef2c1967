#!/usr/bin/env node
// The agent runs as plain compiled ESM (no TypeScript loader): `npm run build` writes dist/.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const entry = new URL('../dist/agent/cli.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('meshlens-agent: dist/agent/cli.js is missing; run `npm run build` first.');
  process.exit(1);
}

// A sidecar's heap sized for a proxy: V8 sizes its heap for the machine (young generation up to 3 × 16 MB,
// old generation grown up to 4× the live data before a full GC), which kept a sidecar at 125-150 MB
// resident under load for 20-40 MB of live data. Heap limits are fixed when a V8 isolate is created, so
// when the user gave no heap flag of their own, the sidecar runs in a worker thread created with them:
// the same process, one small idle main isolate beside it.
const SIDECAR_HEAP = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 24 };
const HEAP_FLAG = /--max[-_](old|semi)[-_]space[-_]size|--max[-_]young[-_]generation[-_]size/;

const args = process.argv.slice(2);
const heapFlagGiven = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((f) => HEAP_FLAG.test(f));
if (args[0] === 'sidecar' && !heapFlagGiven) {
  const worker = new Worker(entry, { argv: args, resourceLimits: SIDECAR_HEAP });
  // Signals reach the main thread only: the sidecar drains on the message (sidecar/command.ts).
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => worker.postMessage(signal));
  worker.on('error', (err) => {
    console.error(`meshlens-agent: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  });
  worker.on('exit', (code) => process.exit(process.exitCode || code));
} else {
  await import(entry.href);
}
