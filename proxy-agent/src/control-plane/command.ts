// `meshlens-agent control-plane`: parses flags and runs the control plane until SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { parseDuration } from '../../../lib/mesh-config/duration';
import { DEFAULT_HEARTBEAT_TTL_MS } from './registry';
import { startControlPlane } from './server';
import { DEFAULT_HISTORY } from './watch-hub';

export const USAGE = `usage: meshlens-agent control-plane --data-dir DIR [flags]

Holds the mesh config (Istio VirtualService, DestinationRule, ServiceEntry, WorkloadEntry) behind a
Kubernetes-style REST API under /apis/networking.istio.io/v1, persisted in DIR, with watches, sidecar
registration and Prometheus discovery (GET /v1/prometheus/sd).

flags:
  --port N               port to listen on (default 15010; 0 picks a free one)
  --host ADDR            address to listen on (default 127.0.0.1)
  --data-dir DIR         where the state file and the audit log live (required)
  --token-file FILE      require "Authorization: Bearer <token>"; FILE holds one token a line,
                         optionally "token,user" (Kubernetes static token format)
  --heartbeat-ttl DUR    a registered sidecar silent this long is marked unhealthy (default ${DEFAULT_HEARTBEAT_TTL_MS / 1000}s)
  --remove-after DUR     ... and removed when silent this long (default 4 x the TTL)
  --watch-history N      watch events kept for resuming watches (default ${DEFAULT_HISTORY})
  -h, --help             show this help`;

function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new Error(`--${flag} must be a duration such as 500ms, 15s or 1m`);
  return ms;
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '15010' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      'token-file': { type: 'string' },
      'heartbeat-ttl': { type: 'string' },
      'remove-after': { type: 'string' },
      'watch-history': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535`);
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error(`--data-dir is required\n\n${USAGE}`);

  const history = values['watch-history'] === undefined ? undefined : Number(values['watch-history']);
  if (history !== undefined && !(Number.isInteger(history) && history > 0))
    throw new Error('--watch-history must be a positive integer');
  const cp = await startControlPlane({
    port,
    host: values.host,
    dataDir,
    tokenFile: values['token-file'],
    heartbeatTtlMs: duration('heartbeat-ttl', values['heartbeat-ttl']),
    removeAfterMs: duration('remove-after', values['remove-after']),
    historySize: history,
  });
  console.log(`control plane listening on ${cp.url} (data in ${dataDir})`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      cp.close().then(resolve, (err: unknown) => {
        console.error(`control-plane: error while stopping: ${String(err)}`);
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
