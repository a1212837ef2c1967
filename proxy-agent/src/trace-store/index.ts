// The embedded Jaeger-compatible trace store: an OTLP/HTTP receiver and Jaeger's query API over one
// bounded in-memory store. Library entry (tests, the demo); `command.ts` is the CLI around it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOtlpReceiver } from './otlp-receiver';
import { createQueryApi } from './query-api';
import { TraceStore } from './store';

export { DEFAULT_MAX_TRACES, TraceStore } from './store';

export interface TraceStoreOptions {
  /** OTLP/HTTP port (4318 by Jaeger's default; 0 picks a free one). */
  otlpPort: number;
  /** Jaeger query API port (16686 by Jaeger's default; 0 picks a free one). */
  queryPort: number;
  host?: string;
  /** At most this many traces are kept; the oldest is evicted first. */
  maxTraces?: number;
  /** Request bodies (as sent and decompressed) past this are answered 413. */
  maxBodyBytes?: number;
  /** Body bytes received at once across requests; past this, exports get 503 (retry). */
  maxInflightBytes?: number;
  /** Called when an export was accepted in part only. */
  onRejected?: (rejected: number, message: string) => void;
}

export interface RunningTraceStore {
  /** Where exporters send spans: `http://host:port/v1/traces`. */
  otlpUrl: string;
  /** Base URL of the Jaeger query API: `http://host:port` (the API is under `/api`). */
  queryUrl: string;
  otlpPort: number;
  queryPort: number;
  store: TraceStore;
  close(): Promise<void>;
}

export async function startTraceStore(options: TraceStoreOptions): Promise<RunningTraceStore> {
  const host = options.host ?? '127.0.0.1';
  const store = new TraceStore({ maxTraces: options.maxTraces });
  const receive = createOtlpReceiver(store, {
    maxBodyBytes: options.maxBodyBytes,
    maxInflightBytes: options.maxInflightBytes,
    onRejected: options.onRejected,
  });
  const otlpServer = createServer((req, res) => {
    void receive(req, res);
  });
  const queryServer = createServer(createQueryApi(store));
  // Exporters keep connections open; the default 5 s keep-alive would outlive a quick export burst anyway.
  otlpServer.keepAliveTimeout = 30_000;
  const otlpPort = await listen(otlpServer, options.otlpPort, host);
  let queryPort: number;
  try {
    queryPort = await listen(queryServer, options.queryPort, host);
  } catch (err) {
    await closeServer(otlpServer);
    throw err;
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    otlpUrl: `http://${urlHost}:${otlpPort}/v1/traces`,
    queryUrl: `http://${urlHost}:${queryPort}`,
    otlpPort,
    queryPort,
    store,
    async close() {
      await Promise.all([closeServer(otlpServer), closeServer(queryServer)]);
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
