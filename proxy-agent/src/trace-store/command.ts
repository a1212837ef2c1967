// `meshlens-agent trace-store`: parses flags, starts the store, stops it on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { parseGoDuration } from './go-duration';
import {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_INFLIGHT_BYTES,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_MAX_SEARCH_LIMIT,
  DEFAULT_MAX_TRACE_BYTES,
  DEFAULT_MAX_TRACES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  startTraceStore,
} from './index';

const MiB = 1024 * 1024;
const USAGE = `usage: meshlens-agent trace-store [flags]

Embedded Jaeger-compatible trace store: OTLP/HTTP in, Jaeger's HTTP query API out.

flags:
  --otlp-port N             OTLP/HTTP receiver port, POST /v1/traces (default 4318)
  --query-port N            Jaeger query API port, /api/... (default 16686)
  --host ADDR               address to bind both to (default 127.0.0.1)

memory:
  --max-traces N            traces kept in memory, oldest evicted first (default ${DEFAULT_MAX_TRACES})
  --max-bytes N             approximate bytes of spans kept, oldest traces evicted first
                            (default ${DEFAULT_MAX_BYTES}, ${DEFAULT_MAX_BYTES / MiB} MiB)
  --max-trace-bytes N       approximate bytes one trace may hold; its later spans are rejected
                            (default ${DEFAULT_MAX_TRACE_BYTES}, ${DEFAULT_MAX_TRACE_BYTES / MiB} MiB; at most --max-bytes)

OTLP receiver:
  --max-body-bytes N        an export past this, as sent or decompressed, is answered 413
                            (default ${DEFAULT_MAX_BODY_BYTES}, ${DEFAULT_MAX_BODY_BYTES / MiB} MiB, the collector's)
  --max-inflight-bytes N    decompressed bytes of exports received at once; past it, 503 + Retry-After
                            (default ${DEFAULT_MAX_INFLIGHT_BYTES}, ${DEFAULT_MAX_INFLIGHT_BYTES / MiB} MiB)

query API:
  --max-search-limit N      largest search limit answered; a larger one is cut, said in errors
                            (default ${DEFAULT_MAX_SEARCH_LIMIT}, Jaeger UI's maximum)
  --max-response-bytes N    a search answer stops adding traces past this, said in errors
                            (default ${DEFAULT_MAX_RESPONSE_BYTES}, ${DEFAULT_MAX_RESPONSE_BYTES / MiB} MiB)

both listeners:
  --headers-timeout DUR     time to receive a request's headers; then 408 (default ${DEFAULT_HEADERS_TIMEOUT_MS / 1000}s)
  --request-timeout DUR     time to receive a whole request, body included (default ${DEFAULT_REQUEST_TIMEOUT_MS / 1000}s)
  --max-header-bytes N      request line and headers; past it, 431 (default ${DEFAULT_MAX_HEADER_BYTES})
  --max-connections N       open connections per listener (default ${DEFAULT_MAX_CONNECTIONS})
  -h, --help                show this help`;

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'otlp-port': { type: 'string', default: '4318' },
      'query-port': { type: 'string', default: '16686' },
      host: { type: 'string', default: '127.0.0.1' },
      'max-traces': { type: 'string', default: String(DEFAULT_MAX_TRACES) },
      'max-bytes': { type: 'string', default: String(DEFAULT_MAX_BYTES) },
      'max-trace-bytes': { type: 'string', default: String(DEFAULT_MAX_TRACE_BYTES) },
      'max-body-bytes': { type: 'string', default: String(DEFAULT_MAX_BODY_BYTES) },
      'max-inflight-bytes': { type: 'string', default: String(DEFAULT_MAX_INFLIGHT_BYTES) },
      'max-search-limit': { type: 'string', default: String(DEFAULT_MAX_SEARCH_LIMIT) },
      'max-response-bytes': { type: 'string', default: String(DEFAULT_MAX_RESPONSE_BYTES) },
      'headers-timeout': { type: 'string', default: `${DEFAULT_HEADERS_TIMEOUT_MS}ms` },
      'request-timeout': { type: 'string', default: `${DEFAULT_REQUEST_TIMEOUT_MS}ms` },
      'max-header-bytes': { type: 'string', default: String(DEFAULT_MAX_HEADER_BYTES) },
      'max-connections': { type: 'string', default: String(DEFAULT_MAX_CONNECTIONS) },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const otlpPort = integerFlag('--otlp-port', values['otlp-port'], 0, 65535);
  const queryPort = integerFlag('--query-port', values['query-port'], 0, 65535);
  const count = (name: string, min = 1) =>
    integerFlag(`--${name}`, values[name as keyof typeof values] as string, min, Number.MAX_SAFE_INTEGER);
  const maxBytes = count('max-bytes', 1024);
  const maxTraceBytes = count('max-trace-bytes', 1024);
  if (maxTraceBytes > maxBytes) throw new Error('--max-trace-bytes must not be larger than --max-bytes');
  const maxBodyBytes = count('max-body-bytes', 1024);
  const maxInflightBytes = count('max-inflight-bytes', 1024);
  if (maxInflightBytes < maxBodyBytes) {
    throw new Error(
      '--max-inflight-bytes must be at least --max-body-bytes (else a large export never fits)',
    );
  }
  const headersTimeoutMs = durationFlag('--headers-timeout', values['headers-timeout']);
  const requestTimeoutMs = durationFlag('--request-timeout', values['request-timeout']);
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new Error('--request-timeout must not be shorter than --headers-timeout');
  }

  const running = await startTraceStore({
    otlpPort,
    queryPort,
    host: values.host,
    maxTraces: count('max-traces'),
    maxBytes,
    maxTraceBytes,
    maxBodyBytes,
    maxInflightBytes,
    maxSearchLimit: count('max-search-limit'),
    maxResponseBytes: count('max-response-bytes', 1024),
    headersTimeoutMs,
    requestTimeoutMs,
    maxHeaderBytes: count('max-header-bytes', 1024),
    maxConnections: count('max-connections'),
    onRejected: (n, message) => console.error(`trace-store: rejected ${n} span(s): ${message}`),
  });
  console.log(`trace-store: OTLP/HTTP on ${running.otlpUrl}, Jaeger query API on ${running.queryUrl}/api`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
}

function integerFlag(name: string, text: string | undefined, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text ?? '') || n < min || n > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(text)}`);
  }
  return n;
}

/** A Go duration flag (`10s`, `500ms`, `1m`) in whole milliseconds, at least 1 ms. */
function durationFlag(name: string, text: string | undefined): number {
  const parsed = parseGoDuration(text ?? '');
  const ms = parsed.ok ? Math.floor(parsed.ns / 1e6) : 0;
  if (ms < 1)
    throw new Error(`${name} must be a duration such as 500ms, 10s or 1m, not ${JSON.stringify(text)}`);
  return ms;
}
