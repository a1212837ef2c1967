// `meshlens-agent control-plane`: parses flags and runs the control plane until SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { parseDuration } from '../../../lib/mesh-config/duration';
import {
  DEFAULT_MAX_WORKLOAD_CERT_TTL_MS,
  DEFAULT_ROOT_ROTATION_GRACE_MS,
  DEFAULT_WORKLOAD_CERT_TTL_MS,
} from './ca/authority';
import {
  DEFAULT_AUDIT_MAX_ENTRIES,
  DEFAULT_COMPACTION_INTERVAL_MS,
  DEFAULT_ETCD_CALL_TIMEOUT_MS,
} from './etcd/etcd-store';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { DEFAULT_HEARTBEAT_TTL_MS } from './registry';
import { startControlPlane } from './server';

const L = DEFAULT_LIMITS;
const MiB = 1024 * 1024;

export const USAGE = `usage: meshlens-agent control-plane --data-dir DIR [flags]

Holds the mesh config (Istio resources) behind a Kubernetes-style REST API under /apis/<group>/<version>,
persisted in DIR, with watches, sidecar registration and Prometheus discovery (GET /v1/prometheus/sd).
It is the mesh's CA: POST /v1/certificates signs a workload CSR (SPIFFE identity), GET /v1/ca/roots
serves the trust bundle, and the REST API itself is HTTPS with a certificate from this CA.

flags:
  --port N               port to listen on (default 15010; 0 picks a free one)
  --host ADDR            address to listen on (default 127.0.0.1)
  --data-dir DIR         where the state file and the audit log live (required; with etcd, the lock and
                         the CA's trust bundle file)
  --store STORE          file (default: DIR/state.json) or etcd://host:port[,host:port…]: the state, the
                         audit log and the CA in etcd, shared by every control plane given the same etcd
  --ca-encryption-key-file FILE
                         with --store etcd: 256-bit key (hex, base64 or 32 bytes; the same for every
                         control plane) sealing the CA's private keys in etcd (AES-256-GCM)
  --etcd-call-timeout DUR
                         an etcd call must answer within this (default ${DEFAULT_ETCD_CALL_TIMEOUT_MS / 1000}s)
  --etcd-compaction-interval DUR
                         compact etcd's history to the revision of one interval ago (default ${DEFAULT_COMPACTION_INTERVAL_MS / 60_000}m);
                         a watch resuming from before it gets 410 and re-lists
  --audit-max-entries N  with --store etcd: audit entries kept, the oldest deleted (default ${DEFAULT_AUDIT_MAX_ENTRIES})
  --token-file FILE      require "Authorization: Bearer <token>"; FILE holds one token a line,
                         optionally "token,user" (Kubernetes static token format), mode 600
  --insecure-allow-anonymous
                         serve a --host other than loopback without --token-file (refused otherwise)
  --on-behalf-of-users U1,U2
                         token users whose X-Meshlens-User header (the person a dashboard acts for) is
                         recorded in the audit log as onBehalfOf (default admin, a bare token's user;
                         "" for none). The audit's identity is always the token's user.
 
TLS and the CA:
  --insecure-http        serve plain HTTP (local tests only); HTTPS is the default
  --tls-cert-file FILE   serve HTTPS with this certificate (PEM chain) instead of one from the mesh CA
  --tls-private-key-file FILE
                         ... and its key
  --trust-domain TD      SPIFFE trust domain of issued identities (default cluster.local)
  --ca-cert FILE         sign with this CA certificate (an organisation's intermediate; PEM, followed by
                         its chain) instead of a self-signed root made in DIR/ca at first start
  --ca-key FILE          ... and its key
  --ca-root-cert FILE    the root(s) --ca-cert chains to, when the chain in --ca-cert does not end with it
  --workload-cert-ttl DUR
                         lifetime of a workload certificate when the CSR asks for none (default ${DEFAULT_WORKLOAD_CERT_TTL_MS / 3_600_000}h)
  --max-workload-cert-ttl DUR
                         the longest a CSR may ask for (default ${DEFAULT_MAX_WORKLOAD_CERT_TTL_MS / 3_600_000}h)
  --root-rotation-grace DUR
                         after POST /v1/ca/rotate the new root is trusted this long before it signs
                         (default ${DEFAULT_ROOT_ROTATION_GRACE_MS / 60_000}m)
  --ca-admin-users U1,U2 token users that may be issued any identity and rotate roots (default admin,
                         a bare token's user); users named system:serviceaccount:<ns>:<sa> get their own
  --insecure-ca-allow-anonymous
                         without --token-file, issue any identity to anyone (tests only)

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
  --max-csr-bytes N      largest certificate signing request body (default ${L.maxCsrBytes / 1024}KiB; beyond it 413)
  --audit-scan-bytes N   how much of the audit log's end GET /v1/audit reads (default ${L.auditScanBytes / MiB}MiB)
  --audit-max-bytes N    the file audit log rotates to audit.log.1 at this size, one backup kept
                         (default ${L.auditMaxBytes / MiB}MiB)
  --audit-scan-entries N with --store etcd: how many of the newest audit entries GET /v1/audit reads
                         (default ${L.auditScanEntries})
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

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '15010' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      store: { type: 'string' },
      'ca-encryption-key-file': { type: 'string' },
      'etcd-call-timeout': { type: 'string' },
      'etcd-compaction-interval': { type: 'string' },
      'audit-max-entries': { type: 'string' },
      'audit-scan-entries': { type: 'string' },
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
      'audit-max-bytes': { type: 'string' },
      'max-csr-bytes': { type: 'string' },
      'insecure-http': { type: 'boolean' },
      'tls-cert-file': { type: 'string' },
      'tls-private-key-file': { type: 'string' },
      'trust-domain': { type: 'string' },
      'ca-cert': { type: 'string' },
      'ca-key': { type: 'string' },
      'ca-root-cert': { type: 'string' },
      'workload-cert-ttl': { type: 'string' },
      'max-workload-cert-ttl': { type: 'string' },
      'root-rotation-grace': { type: 'string' },
      'ca-admin-users': { type: 'string' },
      'insecure-ca-allow-anonymous': { type: 'boolean' },
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
    auditMaxBytes: size('audit-max-bytes', values['audit-max-bytes']),
    auditScanEntries: count('audit-scan-entries', values['audit-scan-entries']),
    maxCsrBytes: size('max-csr-bytes', values['max-csr-bytes']),
  };
  const grace = values['root-rotation-grace'];
  const graceMs = grace === undefined ? undefined : parseDuration(grace);
  if (grace !== undefined && graceMs === undefined)
    throw new Error('--root-rotation-grace must be a duration such as 0s, 30s or 2m');
  const caAdmins = values['ca-admin-users'];
  const onBehalfOf = values['on-behalf-of-users'];
  const cp = await startControlPlane({
    port,
    host: values.host,
    dataDir,
    store: values.store,
    caEncryptionKeyFile: values['ca-encryption-key-file'],
    etcdCallTimeoutMs: duration('etcd-call-timeout', values['etcd-call-timeout']),
    etcdCompactionIntervalMs: duration('etcd-compaction-interval', values['etcd-compaction-interval']),
    auditMaxEntries: count('audit-max-entries', values['audit-max-entries']),
    tokenFile: values['token-file'],
    insecureAllowAnonymous: values['insecure-allow-anonymous'] ?? false,
    ...(onBehalfOf !== undefined ? { onBehalfOfUsers: splitList(onBehalfOf) } : {}),
    insecureHttp: values['insecure-http'] ?? false,
    tlsCertFile: values['tls-cert-file'],
    tlsKeyFile: values['tls-private-key-file'],
    trustDomain: values['trust-domain'],
    caCertFile: values['ca-cert'],
    caKeyFile: values['ca-key'],
    caRootFile: values['ca-root-cert'],
    workloadCertTtlMs: duration('workload-cert-ttl', values['workload-cert-ttl']),
    maxWorkloadCertTtlMs: duration('max-workload-cert-ttl', values['max-workload-cert-ttl']),
    rootRotationGraceMs: graceMs,
    ...(caAdmins !== undefined ? { caAdminUsers: splitList(caAdmins) } : {}),
    caAllowAnonymous: values['insecure-ca-allow-anonymous'] ?? false,
    heartbeatTtlMs: duration('heartbeat-ttl', values['heartbeat-ttl']),
    removeAfterMs: duration('remove-after', values['remove-after']),
    limits,
  });
  console.log(
    `control plane listening on ${cp.url} (data in ${values.store?.startsWith('etcd://') ? values.store : dataDir}; CA roots in ${cp.trustBundleFile})`,
  );
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
