// `meshlens-agent trace-store`: parses flags, starts the store, stops it on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_TRACES, startTraceStore } from './index';

const USAGE = `usage: meshlens-agent trace-store [flags]

Embedded Jaeger-compatible trace store: OTLP/HTTP in, Jaeger's HTTP query API out.

flags:
  --otlp-port N     OTLP/HTTP receiver port, POST /v1/traces (default 4318)
  --query-port N    Jaeger query API port, /api/... (default 16686)
  --host ADDR       address to bind both to (default 127.0.0.1)
  --max-traces N    traces kept in memory, oldest evicted first (default ${DEFAULT_MAX_TRACES})
  -h, --help        show this help`;

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'otlp-port': { type: 'string', default: '4318' },
      'query-port': { type: 'string', default: '16686' },
      host: { type: 'string', default: '127.0.0.1' },
      'max-traces': { type: 'string', default: String(DEFAULT_MAX_TRACES) },
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
  const maxTraces = integerFlag('--max-traces', values['max-traces'], 1, Number.MAX_SAFE_INTEGER);

  const running = await startTraceStore({
    otlpPort,
    queryPort,
    host: values.host,
    maxTraces,
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
