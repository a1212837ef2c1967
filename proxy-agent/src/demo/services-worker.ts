// The demo's control plane and trace store, run in a worker thread of the supervisor's process: the same
// REST APIs on the same ports as `meshlens-agent control-plane` / `trace-store`, without two more Node
// processes (~45 MB of baseline each). A worker, not the main thread, because a worker's heap limits
// can be set (`resourceLimits`): the supervisor itself is started by the user without V8 flags, and with
// the default young generation (up to 3 × 16 MB) the trace store's ingest grew it to ~30 MB.
// A failure in here ends the worker, not the supervisor, which then stops the demo cleanly.
import { createWriteStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { startControlPlane } from '../control-plane/server';
import { startTraceStore } from '../trace-store';

export interface ServicesConfig {
  controlPlanePort: number;
  otlpPort: number;
  queryPort: number;
  controlPlaneDataDir: string;
  /** etcd://… for the control plane's state (default its data dir), and the key sealing the CA there. */
  store?: string;
  caEncryptionKeyFile?: string;
  tokenFile: string;
  maxTraces: number;
  /** Log files, one per service. */
  controlPlaneLog: string;
  traceStoreLog: string;
}

export type ServicesMessage =
  | { type: 'ready'; controlPlane: string; controlPlaneCa: string; otlp: string; jaegerQuery: string }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

const config = workerData as ServicesConfig;
const port = parentPort;
if (!port) throw new Error('services-worker runs as a worker thread');
const send = (m: ServicesMessage) => port.postMessage(m);

const logTo = (file: string) => {
  const stream = createWriteStream(file, { flags: 'a' });
  return {
    line: (text: string) => void stream.write(`${new Date().toISOString()} ${text}\n`),
    end: () => new Promise<void>((done) => stream.end(done)),
  };
};
const cpLog = logTo(config.controlPlaneLog);
const tsLog = logTo(config.traceStoreLog);
const closers: Array<() => Promise<void>> = [];

async function stop(): Promise<void> {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  await Promise.all([cpLog.end(), tsLog.end()]);
}

port.on('message', (m: unknown) => {
  if (m === 'stop') void stop().then(() => send({ type: 'stopped' }));
});

try {
  const cp = await startControlPlane({
    port: config.controlPlanePort,
    host: '127.0.0.1',
    dataDir: config.controlPlaneDataDir,
    ...(config.store !== undefined
      ? { store: config.store, caEncryptionKeyFile: config.caEncryptionKeyFile }
      : {}),
    tokenFile: config.tokenFile,
    log: cpLog.line,
  });
  closers.push(() => cp.close());
  cpLog.line(`control plane listening on ${cp.url}`);
  const traces = await startTraceStore({
    otlpPort: config.otlpPort,
    queryPort: config.queryPort,
    host: '127.0.0.1',
    maxTraces: config.maxTraces,
    onRejected: (n, message) => tsLog.line(`rejected ${n} span(s): ${message}`),
  });
  closers.push(() => traces.close());
  tsLog.line(`OTLP/HTTP on ${traces.otlpUrl}, Jaeger query API on ${traces.queryUrl}/api`);
  send({
    type: 'ready',
    controlPlane: cp.url,
    controlPlaneCa: cp.trustBundle(),
    otlp: traces.otlpUrl,
    jaegerQuery: traces.queryUrl,
  });
} catch (err) {
  await stop();
  send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
