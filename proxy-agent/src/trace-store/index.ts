// The embedded Jaeger-compatible trace store: an OTLP/HTTP receiver and Jaeger's query API over one
// bounded in-memory store. Library entry (tests, the demo); `command.ts` is the CLI around it.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createListener, type ListenerLimits } from './listener';
import { createOtlpReceiver, otlpErrorBody, otlpErrorResponder } from './otlp-receiver';
import { createQueryApi, jaegerErrorBody, v1Error } from './query-api';
import { TraceStore } from './store';

export {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from './listener';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_INFLIGHT_BYTES } from './otlp-receiver';
export { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_SEARCH_LIMIT } from './query-api';
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_TRACE_BYTES, DEFAULT_MAX_TRACES, TraceStore } from './store';

export interface TraceStoreOptions extends ListenerLimits {
  /** OTLP/HTTP port (4318 by Jaeger's default; 0 picks a free one). */
  otlpPort: number;
  /** Jaeger query API port (16686 by Jaeger's default; 0 picks a free one). */
  queryPort: number;
  host?: string;
  /** At most this many traces are kept; the oldest is evicted first. */
  maxTraces?: number;
  /** Approximate bytes of spans held; past it the oldest traces are evicted first. */
  maxBytes?: number;
  /** Approximate bytes one trace may hold; spans past it are rejected. */
  maxTraceBytes?: number;
  /** Largest `limit` a search is answered with (Jaeger UI's own maximum). */
  maxSearchLimit?: number;
  /** A search answer stops adding traces past this many bytes (and says so). */
  maxResponseBytes?: number;
  /** Where listener errors are logged (default: stderr). */
  log?: (line: string) => void;
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
  const log = options.log ?? ((line: string) => console.error(line));
  const store = new TraceStore({
    maxTraces: options.maxTraces,
    maxBytes: options.maxBytes,
    maxTraceBytes: options.maxTraceBytes,
  });
  const receive = createOtlpReceiver(store, {
    maxBodyBytes: options.maxBodyBytes,
    maxInflightBytes: options.maxInflightBytes,
    onRejected: options.onRejected,
  });
  const limits: ListenerLimits = {
    headersTimeoutMs: options.headersTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
    maxHeaderBytes: options.maxHeaderBytes,
    maxConnections: options.maxConnections,
  };
  const otlpServer = createListener(receive, {
    ...limits,
    name: 'trace-store otlp',
    log,
    respond: otlpErrorResponder,
    errorBody: otlpErrorBody,
  });
  const queryApi = createQueryApi(store, {
    maxSearchLimit: options.maxSearchLimit,
    maxResponseBytes: options.maxResponseBytes,
  });
  const queryServer = createListener(queryApi, {
    ...limits,
    name: 'trace-store query',
    log,
    respond: v1Error,
    errorBody: jaegerErrorBody,
  });
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
