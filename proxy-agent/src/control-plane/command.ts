// `meshlens-agent control-plane`: parses flags and runs the control plane until SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { parseDuration } from '../../../lib/mesh-config/duration';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { DEFAULT_HEARTBEAT_TTL_MS } from './registry';
import { startControlPlane } from './server';

const L = DEFAULT_LIMITS;
const MiB = 1024 * 1024;

export const USAGE = `usage: meshlens-agent control-plane --data-dir DIR [flags]

Holds the mesh config (Istio VirtualService, DestinationRule, ServiceEntry, WorkloadEntry) behind a
Kubernetes-style REST API under /apis/networking.istio.io/v1, persisted in DIR, with watches, sidecar
registration and Prometheus discovery (GET /v1/prometheus/sd).

flags:
  --port N               port to listen on (default 15010; 0 picks a free one)
  --host ADDR            address to listen on (default 127.0.0.1)
  --data-dir DIR         where the state file and the audit log live (required)
  --token-file FILE      require "Authorization: Bearer <token>"; FILE holds one token a line,
                         optionally "token,user" (Kubernetes static token format), mode 600
  --insecure-allow-anonymous
                         serve a --host other than loopback without --token-file (refused otherwise)
  --on-behalf-of-users U1,U2
                         token users whose X-Meshlens-User header (the person a dashboard acts for) is
                         recorded in the audit log as onBehalfOf (default admin, a bare token's user;
                         "" for none). The audit's identity is always the token's user.
  --heartbeat-ttl DUR    a registered sidecar silent this long is marked unhealthy (default ${DEFAULT_HEARTBEAT_TTL_MS / 1000}s)
  --remove-after DUR     ... and removed when silent this long (default 4 x the TTL)

limits (sizes in bytes, or with a KiB/MiB/GiB suffix):
  --headers-timeout DUR  a request's headers must arrive within this (default ${L.headersTimeoutMs / 1000}s)
  --request-timeout DUR  a whole request, body included, must arrive within this; watches stream on
                         (default ${L.requestTimeoutMs / 1000}s)
  --max-body-bytes N     largest request body (default ${L.maxBodyBytes / MiB}MiB; beyond it 413)
  --max-body-depth N     deepest nesting of objects and arrays in a body (default ${L.maxBodyDepth}; beyond it 400)
  --max-connections N    open connections (default ${L.maxConnections})
  --watch-buffer-bytes N a watcher with more unsent output than this is closed; its client re-lists
                         and watches again (default ${L.watchBufferBytes / MiB}MiB)
  --max-watches-per-user N
                         concurrent watches one token's user may hold (default ${L.maxWatchesPerUser}; beyond it 429)
  --watch-history N      watch events kept for resuming watches (default ${L.historySize})
  --watch-history-bytes N
                         ... and their total size (default ${L.historyBytes / MiB}MiB)
  --max-objects N        objects held, all kinds together (default ${L.maxObjects}; beyond it 403)
  --audit-scan-bytes N   how much of the audit log's end GET /v1/audit reads (default ${L.auditScanBytes / MiB}MiB)
  -h, --help             show this help`;

function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new Error(`--${flag} must be a duration such as 500ms, 15s or 1m`);
  return ms;
}

function count(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n <= 0)
    throw new Error(`--${flag} must be a positive integer`);
  return n;
}

const SIZE_UNITS: Record<string, number> = { '': 1, kib: 1024, mib: MiB, gib: 1024 * MiB };

function size(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\s*([kmg]i?b?)?$/i.exec(text.trim());
  const unit = m?.[2]?.toLowerCase().replace(/^([kmg])i?b?$/, '$1ib') ?? '';
  const n = m ? Number(m[1]) * (SIZE_UNITS[unit] ?? Number.NaN) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new Error(`--${flag} must be a size in bytes, such as 65536 or 4MiB`);
  return n;
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '15010' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      'token-file': { type: 'string' },
      'insecure-allow-anonymous': { type: 'boolean' },
      'on-behalf-of-users': { type: 'string' },
      'heartbeat-ttl': { type: 'string' },
      'remove-after': { type: 'string' },
      'headers-timeout': { type: 'string' },
      'request-timeout': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'max-body-depth': { type: 'string' },
      'max-connections': { type: 'string' },
      'watch-buffer-bytes': { type: 'string' },
      'max-watches-per-user': { type: 'string' },
      'watch-history': { type: 'string' },
      'watch-history-bytes': { type: 'string' },
      'max-objects': { type: 'string' },
      'audit-scan-bytes': { type: 'string' },
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

  const limits: Partial<Limits> = {
    headersTimeoutMs: duration('headers-timeout', values['headers-timeout']),
    requestTimeoutMs: duration('request-timeout', values['request-timeout']),
    maxBodyBytes: size('max-body-bytes', values['max-body-bytes']),
    maxBodyDepth: count('max-body-depth', values['max-body-depth']),
    maxConnections: count('max-connections', values['max-connections']),
    watchBufferBytes: size('watch-buffer-bytes', values['watch-buffer-bytes']),
    maxWatchesPerUser: count('max-watches-per-user', values['max-watches-per-user']),
    historySize: count('watch-history', values['watch-history']),
    historyBytes: size('watch-history-bytes', values['watch-history-bytes']),
    maxObjects: count('max-objects', values['max-objects']),
    auditScanBytes: size('audit-scan-bytes', values['audit-scan-bytes']),
  };
  const onBehalfOf = values['on-behalf-of-users'];
  const cp = await startControlPlane({
    port,
    host: values.host,
    dataDir,
    tokenFile: values['token-file'],
    insecureAllowAnonymous: values['insecure-allow-anonymous'] ?? false,
    ...(onBehalfOf !== undefined
      ? {
          onBehalfOfUsers: onBehalfOf
            .split(',')
            .map((u) => u.trim())
            .filter((u) => u !== ''),
        }
      : {}),
    heartbeatTtlMs: duration('heartbeat-ttl', values['heartbeat-ttl']),
    removeAfterMs: duration('remove-after', values['remove-after']),
    limits,
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
