// The control plane's HTTP server: authentication, then the resource API, registration heartbeats,
// Prometheus discovery, the audit log and health. `startControlPlane` is the library entry.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  DEFAULT_TOKEN_USER,
  parseTokenText,
  readTokenFile,
  type TokenEntry,
} from '../../../lib/auth/token-file';
import { keyMatchesCertificate } from '../../../lib/identity/pki';
import { DEFAULT_TRUST_DOMAIN, isValidName } from '../../../lib/identity/spiffe';
import { groupVersions, kindsOf } from '../../../lib/mesh-config/api-paths';
import { PLURALS } from '../../../lib/mesh-config/kinds';
import type { MeshKind } from '../../../lib/mesh-config/schema';
import { guardedHandler } from '../net/guarded-handler';
import type { Actor } from './audit-log';
import { ANONYMOUS, authenticate } from './auth';
import {
  CertificateAuthority,
  DEFAULT_MAX_WORKLOAD_CERT_TTL_MS,
  DEFAULT_ROOT_ROTATION_GRACE_MS,
  DEFAULT_WORKLOAD_CERT_TTL_MS,
} from './ca/authority';
import { type CertificateApiContext, handleCertificateApi, isPublicCaPath } from './ca/certificate-api';
import { caDir, TRUST_BUNDLE_FILE } from './ca/root-store';
import { readEncryptionKeyFile } from './ca/secret-box';
import { ServingCertificate } from './ca/serving-certificate';
import { lockDataDir } from './data-dir-lock';
import { EtcdRootStore } from './etcd/etcd-root-store';
import { EtcdStore } from './etcd/etcd-store';
import { parseStoreSpec } from './etcd/etcd-url';
import { LeaseRegistry } from './etcd/lease-registry';
import { categoriesOf, SHORT_NAMES } from './kube/names';
import { openApiV2, openApiV3Doc, openApiV3Index } from './kube/openapi';
import { type Limits, resolveLimits } from './limits';
import { onClientError, respondWithStatus } from './listener-errors';
import type { MeshStore } from './mesh-store';
import { parseResourcePath } from './paths';
import { prometheusTargets } from './prometheus-sd';
import { DEFAULT_HEARTBEAT_TTL_MS, HealthTracker, isAutoRegistered, type Registrations } from './registry';
import { handleResource, sendJson, sendStatus } from './resource-api';
import { ApiError } from './status';
import { ResourceStore } from './store';
import { WatchQuota } from './watch-quota';

export interface ControlPlaneOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  dataDir: string;
  /**
   * Where the state lives: "file" (the default, DIR/state.json) or etcd://host:port[,host:port…], shared
   * by every control plane given the same etcd (the audit log and the CA's roots go there too).
   */
  store?: string;
  /** With etcd: the 256-bit key sealing the CA's private keys there (file, or the bytes for tests). */
  caEncryptionKeyFile?: string;
  caEncryptionKey?: Buffer;
  /** With etcd: how long a unary etcd call may take. */
  etcdCallTimeoutMs?: number;
  /** With etcd: how often to compact etcd's history (to the revision one interval ago). */
  etcdCompactionIntervalMs?: number;
  /** With etcd: audit entries kept. */
  auditMaxEntries?: number;
  /** Accepted bearer tokens, inline (tests). */
  token?: string;
  /** Kubernetes static token file: `token,user` a line, or a bare token. */
  tokenFile?: string;
  /** An auto-registered WorkloadEntry silent this long is marked Healthy=False. */
  heartbeatTtlMs?: number;
  /** ... and removed when silent this long (default 4 × TTL). */
  removeAfterMs?: number;
  /** Watch events kept for resuming watches (same as `limits.historySize`). */
  historySize?: number;
  /** Overrides of the limits in ./limits.ts. */
  limits?: Partial<Limits>;
  /**
   * Token users whose `X-Meshlens-User` header is recorded as `onBehalfOf` in the audit log (the
   * dashboard's token). Default: `admin`, the user of a bare token, as cluster-admin may impersonate.
   */
  onBehalfOfUsers?: readonly string[];
  /** Serve without a token on an address other than loopback (refused otherwise). */
  insecureAllowAnonymous?: boolean;
  /** Plain HTTP instead of HTTPS (local tests). */
  insecureHttp?: boolean;
  /** Serve HTTPS with this certificate and key (PEM files) instead of one from the mesh CA. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** The SPIFFE trust domain of issued identities (default cluster.local). */
  trustDomain?: string;
  /** An existing CA (an organisation's intermediate) instead of a self-signed root in the data dir. */
  caCertFile?: string;
  caKeyFile?: string;
  caRootFile?: string;
  /** Default and longest lifetime of workload certificates. */
  workloadCertTtlMs?: number;
  maxWorkloadCertTtlMs?: number;
  /** After a root rotation, how long the new root is only trusted before it signs. */
  rootRotationGraceMs?: number;
  /** Users that may be issued any identity and rotate roots (default: admin, a bare token's user). */
  caAdminUsers?: readonly string[];
  /** Issue identities to unauthenticated callers (no token file; tests only). */
  caAllowAnonymous?: boolean;
  log?: (message: string) => void;
}

export interface ControlPlane {
  /** `https://host:port` (or `http://` with insecureHttp). */
  url: string;
  port: number;
  /** The CA's trust bundle, PEM: what a client verifies this server (and the mesh's peers) against. */
  trustBundle(): string;
  /** The same bundle as a file in the data dir (mode 0644), rewritten on rotation. */
  trustBundleFile: string;
  close(): Promise<void>;
}

const USER_HEADER = 'x-meshlens-user';
/** How long close() lets requests in flight finish before cutting their connections. */
const CLOSE_GRACE_MS = 1000;
const HEARTBEAT_PATH = /^\/v1\/workloadentries\/([^/]+)\/([^/]+)\/heartbeat$/;

/** Who asks: the authenticated user, and whom it acts for only when that user may say so. */
function actorOf(req: IncomingMessage, identity: string, delegates: ReadonlySet<string>): Actor {
  if (!delegates.has(identity)) return { identity };
  const claimed = req.headers[USER_HEADER];
  const onBehalfOf =
    typeof claimed === 'string' && /^[\x20-\x7e]{1,128}$/.test(claimed.trim()) ? claimed.trim() : undefined;
  return { identity, ...(onBehalfOf ? { onBehalfOf } : {}) };
}

/** Whether `host` is a loopback address, reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1'
  );
}

/** Kubernetes discovery for one group/version, so kubectl-like clients find its resources. */
function apiResourceList(groupVersion: string) {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: kindsOf(groupVersion).map((kind) => ({
      name: PLURALS[kind],
      singularName: kind.toLowerCase(),
      namespaced: true,
      kind,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: SHORT_NAMES[kind as MeshKind],
      categories: categoriesOf(groupVersion.split('/')[0] as string),
    })),
  };
}

/** Each API group with its versions (one served version each for now). */
function apiGroups() {
  const groups = new Map<string, { groupVersion: string; version: string }[]>();
  for (const groupVersion of groupVersions()) {
    const [group, version] = groupVersion.split('/') as [string, string];
    groups.set(group, [...(groups.get(group) ?? []), { groupVersion, version }]);
  }
  return [...groups].map(([name, versions]) => ({
    kind: 'APIGroup',
    apiVersion: 'v1',
    name,
    versions,
    preferredVersion: versions[0],
  }));
}

function apiGroupList() {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: apiGroups().map(({ kind: _k, apiVersion: _a, ...g }) => g),
  };
}

/** The discovery document a path names (the group list, a group, a group/version; the core API, the version). */
function discovery(pathname: string): unknown {
  if (pathname === '/apis' || pathname === '/apis/') return apiGroupList();
  // No core resources are served, but clients look for the legacy group first.
  if (pathname === '/api' || pathname === '/api/')
    return { kind: 'APIVersions', versions: [], serverAddressByClientCIDRs: [] };
  if (pathname === '/version')
    return {
      major: '1',
      minor: '32',
      gitVersion: 'v1.32.0-meshlens',
      platform: `${process.platform}/${process.arch}`,
    };
  const m = /^\/apis\/([^/]+)(?:\/([^/]+))?\/?$/.exec(pathname);
  if (!m) return undefined;
  if (m[2] === undefined) return apiGroups().find((g) => g.name === m[1]);
  const groupVersion = `${m[1]}/${m[2]}`;
  return groupVersions().includes(groupVersion) ? apiResourceList(groupVersion) : undefined;
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const log = options.log ?? ((m: string) => console.error(`control-plane: ${m}`));
  const tokens: TokenEntry[] = [
    ...(options.token !== undefined ? parseTokenText(options.token, '--token') : []),
    ...(options.tokenFile !== undefined ? readTokenFile(options.tokenFile) : []),
  ];
  const authRequired = options.token !== undefined || options.tokenFile !== undefined;
  const host = options.host ?? '127.0.0.1';
  if (!authRequired && !isLoopbackHost(host) && !options.insecureAllowAnonymous)
    throw new Error(
      `refusing to serve ${host} without --token-file: anyone who reaches it could change the mesh config ` +
        '(pass --insecure-allow-anonymous to do so anyway)',
    );
  const limits = resolveLimits({
    ...(options.historySize !== undefined ? { historySize: options.historySize } : {}),
    ...options.limits,
  });
  const delegates = new Set(options.onBehalfOfUsers ?? [DEFAULT_TOKEN_USER]);
  const spec = parseStoreSpec(options.store);
  const ttlMs = options.heartbeatTtlMs ?? DEFAULT_HEARTBEAT_TTL_MS;
  const removeAfterMs = options.removeAfterMs ?? ttlMs * 4;
  let encryptionKey = options.caEncryptionKey;
  if (spec.kind === 'etcd' && encryptionKey === undefined && options.caCertFile === undefined) {
    if (options.caEncryptionKeyFile === undefined)
      throw new Error(
        'with --store etcd the CA keys are kept in etcd sealed with --ca-encryption-key-file (32 random bytes, ' +
          'the same file for every control plane; make one with: openssl rand -hex 32 > FILE)',
      );
    encryptionKey = readEncryptionKeyFile(options.caEncryptionKeyFile);
  }
  const unlock = await lockDataDir(options.dataDir);
  let store: MeshStore;
  try {
    store =
      spec.kind === 'etcd'
        ? await EtcdStore.open({
            hosts: spec.hosts,
            historySize: limits.historySize,
            historyBytes: limits.historyBytes,
            maxObjects: limits.maxObjects,
            auditScanEntries: limits.auditScanEntries,
            registrationTtlMs: removeAfterMs,
            ...(options.etcdCallTimeoutMs !== undefined ? { callTimeoutMs: options.etcdCallTimeoutMs } : {}),
            ...(options.etcdCompactionIntervalMs !== undefined
              ? { compactionIntervalMs: options.etcdCompactionIntervalMs }
              : {}),
            ...(options.auditMaxEntries !== undefined ? { auditMaxEntries: options.auditMaxEntries } : {}),
            log,
          })
        : await ResourceStore.open({
            dataDir: options.dataDir,
            historySize: limits.historySize,
            historyBytes: limits.historyBytes,
            maxObjects: limits.maxObjects,
            auditScanBytes: limits.auditScanBytes,
            auditMaxBytes: limits.auditMaxBytes,
            log,
          });
  } catch (err) {
    await unlock();
    throw err;
  }
  const rootStore =
    store instanceof EtcdStore && encryptionKey !== undefined
      ? new EtcdRootStore(store.client, encryptionKey)
      : undefined;
  const trustDomain = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  let ca: CertificateAuthority;
  let serving: ServingCertificate | undefined;
  let fileTls: { cert: string; key: string } | undefined;
  try {
    if (!isValidName(trustDomain)) throw new Error(`--trust-domain ${trustDomain} is not a DNS-style name`);
    if ((options.tlsCertFile === undefined) !== (options.tlsKeyFile === undefined))
      throw new Error('--tls-cert-file and --tls-private-key-file go together');
    ca = await CertificateAuthority.open({
      dataDir: options.dataDir,
      trustDomain,
      caCertFile: options.caCertFile,
      caKeyFile: options.caKeyFile,
      caRootFile: options.caRootFile,
      ...(rootStore ? { rootStore } : {}),
      log,
    });
    if (options.tlsCertFile !== undefined && options.tlsKeyFile !== undefined) {
      fileTls = {
        cert: readFileSync(options.tlsCertFile, 'utf8'),
        key: readFileSync(options.tlsKeyFile, 'utf8'),
      };
      if (!keyMatchesCertificate(fileTls.key, fileTls.cert))
        throw new Error(
          `--tls-private-key-file ${options.tlsKeyFile} is not the key of --tls-cert-file ${options.tlsCertFile}`,
        );
    } else if (!options.insecureHttp) serving = await ServingCertificate.issue(ca, host, log);
  } catch (err) {
    await store.close();
    await unlock();
    throw err;
  }
  const caAdmins = new Set(options.caAdminUsers ?? [DEFAULT_TOKEN_USER]);
  const caContext: CertificateApiContext = {
    ca,
    policy: {
      trustDomain,
      adminUsers: caAdmins,
      allowAnonymous: options.caAllowAnonymous ?? false,
      anonymousUser: ANONYMOUS,
    },
    workloadTtlMs: options.workloadCertTtlMs ?? DEFAULT_WORKLOAD_CERT_TTL_MS,
    maxWorkloadTtlMs: options.maxWorkloadCertTtlMs ?? DEFAULT_MAX_WORKLOAD_CERT_TTL_MS,
    rotationGraceMs: options.rootRotationGraceMs ?? DEFAULT_ROOT_ROTATION_GRACE_MS,
    maxCsrBytes: limits.maxCsrBytes,
    maxBodyDepth: limits.maxBodyDepth,
    // Without a token file everyone may change the config; the roots are no different.
    isAdmin: (user) => caAdmins.has(user) || (user === ANONYMOUS && !authRequired),
    log,
  };
  if (caContext.workloadTtlMs > caContext.maxWorkloadTtlMs)
    log(
      `the workload certificate TTL is longer than --max-workload-cert-ttl; asking for the default will fail`,
    );
  const health: Registrations =
    store instanceof EtcdStore
      ? new LeaseRegistry(store, { ttlMs, log })
      : new HealthTracker(store as ResourceStore, { ttlMs, removeAfterMs, log });
  const watches = new Set<ServerResponse>();
  const watchQuota = new WatchQuota(limits.maxWatchesPerUser);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://control-plane');
    if (url.pathname === '/healthz' || url.pathname === '/readyz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (isPublicCaPath(url.pathname, req.method)) {
      await handleCertificateApi(req, res, url, ANONYMOUS, caContext);
      return;
    }
    let identity = ANONYMOUS;
    if (authRequired) {
      const who = authenticate(req.headers.authorization, tokens);
      if (who === undefined) {
        res.setHeader('www-authenticate', 'Bearer realm="meshlens-control-plane"');
        throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      }
      identity = who;
    }
    const actor = actorOf(req, identity, delegates);
    const path = parseResourcePath(url.pathname);
    if (path) {
      return handleResource(req, res, url, path, {
        store,
        actor,
        watches,
        watchQuota,
        limits,
        log,
        onChange: (change) => {
          const o = change.object;
          if (o.kind === 'WorkloadEntry' && change.type !== 'DELETED' && isAutoRegistered(o))
            health.touch(o.metadata.namespace ?? 'default', o.metadata.name);
        },
      });
    }
    if (await handleCertificateApi(req, res, url, identity, caContext)) return;
    if (req.method === 'GET') {
      const doc = discovery(url.pathname);
      if (doc !== undefined) return sendJson(res, 200, doc);
      if (url.pathname === '/openapi/v3') return sendJson(res, 200, openApiV3Index());
      if (url.pathname === '/openapi/v2') return sendJson(res, 200, openApiV2());
      const gv = /^\/openapi\/v3\/apis\/([^/]+\/[^/]+)$/.exec(url.pathname);
      const v3 = gv ? openApiV3Doc(gv[1] as string) : undefined;
      if (v3) {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(v3.text),
          // A hash-addressed document never changes: clients may keep it.
          ...(url.searchParams.get('hash') === v3.hash ? { 'cache-control': 'public, immutable' } : {}),
        });
        res.end(v3.text);
        return;
      }
    }
    const heartbeat = HEARTBEAT_PATH.exec(url.pathname);
    if (heartbeat) {
      if (req.method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', 'heartbeats are POSTed');
      req.resume();
      let namespace: string;
      let name: string;
      try {
        namespace = decodeURIComponent(heartbeat[1] as string);
        name = decodeURIComponent(heartbeat[2] as string);
      } catch {
        throw new ApiError(400, 'BadRequest', `malformed path ${url.pathname}`);
      }
      const we = await health.heartbeat(namespace, name, actor);
      // The TTL tells the sidecar how often it must beat (registration beats at least 3 times a TTL).
      return sendJson(res, 200, { healthy: true, resourceVersion: we.metadata.resourceVersion, ttlMs });
    }
    if (url.pathname === '/v1/prometheus/sd' && req.method === 'GET') {
      await store.sync();
      return sendJson(res, 200, prometheusTargets(store.list('WorkloadEntry')));
    }
    if (url.pathname === '/v1/audit' && req.method === 'GET') {
      const q = url.searchParams;
      const limit = q.get('limit');
      if (limit !== null && !/^\d+$/.test(limit))
        throw new ApiError(400, 'BadRequest', `invalid limit ${limit}`);
      const items = await store.readAudit({
        kind: q.get('kind') || undefined,
        namespace: q.get('namespace') || undefined,
        name: q.get('name') || undefined,
        limit: limit === null ? undefined : Number(limit),
      });
      return sendJson(res, 200, { kind: 'AuditEntryList', items });
    }
    throw new ApiError(404, 'NotFound', `the server could not find the requested resource ${url.pathname}`);
  }

  /** API errors are answered here; anything else goes on to the shared guard (400/500, logged). */
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await route(req, res);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (res.headersSent) res.destroy();
      else sendStatus(res, err.toStatus());
    }
  }

  const serverOptions = {
    // Both deadlines end once the request has been read: a watch (a GET) then streams on unbounded.
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, Math.ceil(limits.headersTimeoutMs / 2)),
  };
  const handler = guardedHandler(handle, { name: 'control-plane', log, respond: respondWithStatus });
  const tls = fileTls ?? serving?.current();
  const server = tls
    ? createHttpsServer({ ...serverOptions, ...tls, ALPNProtocols: ['http/1.1'] }, handler)
    : createHttpServer(serverOptions, handler);
  if (serving && 'setSecureContext' in server) {
    const tlsServer = server;
    serving.follow(tlsServer);
    caContext.onRootsChanged = () => void serving?.refresh(tlsServer);
  }
  // A rotation made through another control plane over the same etcd: trust it and serve from it here too.
  await rootStore?.follow((roots) => {
    ca.adopt(roots).then(
      (changed) => {
        if (changed) caContext.onRootsChanged?.();
      },
      (err: unknown) =>
        log(`CA: cannot take the roots from etcd: ${err instanceof Error ? err.message : String(err)}`),
    );
  }, log);
  server.keepAliveTimeout = 5000;
  server.maxConnections = limits.maxConnections;
  server.on('clientError', onClientError(log));

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    health.close();
    serving?.close();
    await rootStore?.close();
    await store.close();
    await unlock();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `${tls ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    trustBundle: () => ca.trustBundle(),
    trustBundleFile: join(caDir(options.dataDir), TRUST_BUNDLE_FILE),
    close() {
      closing ??= (async () => {
        health.close();
        serving?.close();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const res of watches) res.end();
        server.closeIdleConnections();
        await rootStore?.close();
        await store.close();
        // Connections that went idle since (ended watches, answered requests) go now; stragglers soon.
        server.closeIdleConnections();
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        await stopped;
        clearTimeout(cut);
        await unlock();
      })();
      return closing;
    },
  };
}
