// A sidecar's registration with the control plane: its instance as an (auto-registered) WorkloadEntry,
// kept alive by heartbeats, re-created if the control plane lost it, and deleted on close (SIGTERM).
import { MeshConfigClient } from '../../../lib/mesh-config/client';
import { apiVersionOf } from '../../../lib/mesh-config/kinds';
import {
  ANNOTATION_AUTO_REGISTRATION,
  ANNOTATION_SCRAPE_PATH,
  ANNOTATION_SCRAPE_PORT,
  LABEL_APP,
  LABEL_TLS_MODE,
  LABEL_VERSION,
  LABEL_WORKLOAD,
  TLS_MODE_ISTIO,
} from '../../../lib/mesh-config/labels';
import type { WorkloadEntry } from '../../../lib/mesh-config/schema';
import { nodeTransport } from './http-request';

export const DEFAULT_HEARTBEAT_MS = 5000;
const METRICS_PATH = '/stats/prometheus';
/** A stopping sidecar waits this long at most for a beat in flight, and as long again for the DELETE. */
const DEREGISTER_TIMEOUT_MS = 1500;

export interface RegistrationOptions {
  controlPlaneUrl: string;
  token?: string;
  /** PEM roots the control plane's HTTPS certificate must chain to. */
  ca?: string;
  namespace: string;
  app: string;
  version?: string;
  /** The workload (Deployment-like group); `app-version` by default. */
  workload?: string;
  /** The WorkloadEntry name; derived from the workload and the inbound address by default. */
  name?: string;
  /** Where other sidecars reach this instance's inbound listener (default 127.0.0.1). */
  address?: string;
  inboundPort: number;
  /** The admin listener, where Prometheus scrapes `/stats/prometheus`. */
  adminPort: number;
  /** The ServiceEntry port name the inbound port serves (default `http`). */
  portName?: string;
  labels?: Readonly<Record<string, string>>;
  serviceAccount?: string;
  heartbeatMs?: number;
  onError?: (message: string) => void;
  onInfo?: (message: string) => void;
}

export interface Registration {
  readonly name: string;
  /** Resolves once the instance is registered the first time. */
  readonly registered: Promise<void>;
  /** Stops heartbeating and deletes the WorkloadEntry (deregisters). */
  close(): Promise<void>;
}

/**
 * How often to heartbeat: the configured interval, but at least three beats per TTL the control plane
 * announces, so one lost beat never marks a live instance unhealthy.
 */
export function heartbeatInterval(configuredMs: number, ttlMs: unknown): number {
  if (typeof ttlMs !== 'number' || !(ttlMs > 0)) return configuredMs;
  return Math.max(10, Math.min(configuredMs, Math.floor(ttlMs / 3)));
}

/** A DNS-1123 label from free text: lower-case, `-` for anything else, at most 63 characters. */
export function dnsLabel(text: string): string {
  const label = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return label.slice(0, 63).replace(/-$/, '') || 'instance';
}

/** The WorkloadEntry a sidecar registers: labels for routing and telemetry, annotations for scraping. */
export function workloadEntryFor(o: RegistrationOptions): WorkloadEntry {
  const version = o.version ?? '';
  const workload = o.workload ?? (version ? `${o.app}-${version}` : o.app);
  const address = o.address ?? '127.0.0.1';
  const labels: Record<string, string> = {
    ...o.labels,
    [LABEL_APP]: o.app,
    ...(version ? { [LABEL_VERSION]: version } : {}),
    [LABEL_WORKLOAD]: workload,
    // A sidecar with a workload certificate takes Istio mTLS: callers' auto-mTLS looks for this label.
    ...(o.serviceAccount ? { [LABEL_TLS_MODE]: TLS_MODE_ISTIO } : {}),
  };
  const suffix =
    address === '127.0.0.1' || address === 'localhost' ? `${o.inboundPort}` : `${address}-${o.inboundPort}`;
  const name = o.name ?? dnsLabel(`${workload.slice(0, 40)}-${suffix}`);
  return {
    // The schema types apiVersion as the kind's literal; kinds.ts holds the same value as a string.
    apiVersion: apiVersionOf('WorkloadEntry') as WorkloadEntry['apiVersion'],
    kind: 'WorkloadEntry',
    metadata: {
      name,
      namespace: o.namespace,
      labels,
      annotations: {
        [ANNOTATION_SCRAPE_PORT]: String(o.adminPort),
        [ANNOTATION_SCRAPE_PATH]: METRICS_PATH,
        [ANNOTATION_AUTO_REGISTRATION]: workload,
      },
    },
    spec: {
      address,
      ports: { [o.portName ?? 'http']: o.inboundPort },
      labels,
      ...(o.serviceAccount ? { serviceAccount: o.serviceAccount } : {}),
    },
  };
}

/** Registers now (retrying in the background until it works) and heartbeats every `heartbeatMs`. */
export function startRegistration(options: RegistrationOptions): Registration {
  const entry = workloadEntryFor(options);
  const { name } = entry.metadata;
  const namespace = options.namespace;
  const client = new MeshConfigClient({
    baseUrl: options.controlPlaneUrl,
    token: options.token,
    transport: nodeTransport(options.ca),
  });
  const every = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  let interval = every;
  let isRegistered = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let lastReported = '';
  let resolveRegistered: () => void = () => {};
  const registered = new Promise<void>((resolve) => {
    resolveRegistered = resolve;
  });

  const report = (message: string) => {
    // A control plane that is down would otherwise log every heartbeat.
    if (message === lastReported) return;
    lastReported = message;
    options.onError?.(message);
  };

  const register = async () => {
    const r = await client.apply(entry);
    if (!r.ok) {
      report(`registration of WorkloadEntry ${namespace}/${name} failed: ${r.status} ${r.message}`);
      return;
    }
    isRegistered = true;
    lastReported = '';
    options.onInfo?.(`registered as WorkloadEntry ${namespace}/${name}`);
    resolveRegistered();
    // A re-registration keeps the status the control plane gave the entry; a heartbeat clears Healthy=False.
    await heartbeat();
  };

  const heartbeat = async (): Promise<void> => {
    const r = await client.send(
      'POST',
      `/v1/workloadentries/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/heartbeat`,
    );
    if (r.ok) {
      lastReported = '';
      interval = heartbeatInterval(every, (r.value as { ttlMs?: unknown } | undefined)?.ttlMs);
      return;
    }
    if (r.status === 404) {
      // The control plane lost the entry (expired while we were unreachable, or a wiped data dir).
      isRegistered = false;
      return register();
    }
    report(`heartbeat of WorkloadEntry ${namespace}/${name} failed: ${r.status} ${r.message}`);
  };

  const tick = () => {
    if (closed) return;
    inFlight = (isRegistered ? heartbeat() : register())
      .catch((err: unknown) => report(`registration: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        if (!closed) timer = setTimeout(tick, isRegistered ? interval : Math.min(interval, 1000));
      });
  };
  tick();

  return {
    name,
    registered,
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      // With the control plane away, a beat in flight would hold up the sidecar's shutdown; an entry
      // it registers after all expires by the TTL.
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([
        inFlight,
        new Promise((resolve) => (wait = setTimeout(resolve, DEREGISTER_TIMEOUT_MS))),
      ]);
      clearTimeout(wait);
      const r = await new MeshConfigClient({
        baseUrl: options.controlPlaneUrl,
        token: options.token,
        timeoutMs: DEREGISTER_TIMEOUT_MS,
        transport: nodeTransport(options.ca),
      }).delete('WorkloadEntry', namespace, name);
      if (r.ok || r.status === 404) options.onInfo?.(`deregistered WorkloadEntry ${namespace}/${name}`);
      else
        options.onError?.(
          `deregistration of WorkloadEntry ${namespace}/${name} failed: ${r.status} ${r.message}`,
        );
    },
  };
}
