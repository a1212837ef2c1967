// A ConfigSource that follows the control plane the way a Kubernetes informer does: list every kind,
// then watch from the list's resourceVersion. Each change becomes a new complete, validated snapshot
// (events arriving together are coalesced). When the control plane is away the last good snapshot
// stays in force; the source reconnects with capped, jittered backoff and resyncs by listing again.

import type { IncomingMessage } from 'node:http';
import { resourcePath } from '../../../lib/mesh-config/api-paths';
import { apiVersionOf, MESH_KINDS } from '../../../lib/mesh-config/kinds';
import { type Cause, crossValidate, type Validated } from '../../../lib/mesh-config/references';
import type { MeshKind, MeshResource } from '../../../lib/mesh-config/schema';
import type { ConfigSource, MeshSnapshot } from './config-source';
import { openRequest, readText } from './http-request';

export interface ControlPlaneSourceOptions {
  /** Base URL of the control plane (or a Kubernetes API server with Istio's CRDs). */
  url: string;
  token?: string;
  /** PEM roots the control plane's HTTPS certificate must chain to (the system's when absent). */
  ca?: string;
  /** Namespaces to follow; all when absent. */
  namespaces?: readonly string[];
  /** Events arriving within this window make one snapshot (default 10 ms). */
  coalesceMs?: number;
  /** How long `connectControlPlane` waits for the first snapshot before failing (default 15 s). */
  initialTimeoutMs?: number;
  backoff?: BackoffOptions;
  /**
   * How each object is checked before a snapshot is built. `full` (the default): the whole schema
   * (zod, loaded on connect). `references`: only the envelope (kind, name, spec) and the references
   * between objects — for a server that validates every write with the same schema (Meshlens' control
   * plane; a Kubernetes API server with Istio's CRDs), it saves a sidecar loading the schema library
   * (~10 MB resident per process).
   */
  validation?: 'full' | 'references';
  /** Problems worth an operator's attention: refused config, lost connection. */
  onError?: (message: string) => void;
  /** Progress: connected, resynced. */
  onInfo?: (message: string) => void;
}

export interface ControlPlaneSource extends ConfigSource {
  /** Whether the watches are currently established. */
  connected(): boolean;
}

export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
}

const DEFAULT_BACKOFF = { baseMs: 100, capMs: 5000 };
/** A list that takes longer than this is given up and retried (a watch has no limit: it streams). */
const LIST_TIMEOUT_MS = 10_000;

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential, capped, with "equal jitter" (half
 * fixed, half random) so that many sidecars do not reconnect in lockstep.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random = Math.random): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const cap = options.capMs ?? DEFAULT_BACKOFF.capMs;
  const exp = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface RawWatchEvent {
  type: WatchEventType;
  object: unknown;
}

function keyOf(o: { kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } }): string {
  return `${String(o.kind)}/${String(o.metadata?.namespace ?? 'default')}/${String(o.metadata?.name)}`;
}

/** Highest resourceVersion of two (as numbers when both are, else the newer one wins). */
function maxVersion(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) && na > nb ? a : b;
}

export type SnapshotResult = { ok: true; snapshot: MeshSnapshot } | { ok: false; problems: string[] };

/** Checks one raw object and answers it as a resource (validate.ts' `parseResource` is one). */
export type ResourceParser = (input: unknown) => Validated<MeshResource>;

const KINDS: ReadonlySet<string> = new Set(MESH_KINDS);

/**
 * The envelope only: a known kind, a name, a namespace if any, a spec object. For config a server has
 * already validated in full (`validation: 'references'`).
 */
export function parseEnvelope(input: unknown): Validated<MeshResource> {
  const o = input as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown }; spec?: unknown };
  const causes: Cause[] = [];
  if (typeof o !== 'object' || o === null)
    return { ok: false, causes: [{ field: '', message: 'not an object' }] };
  if (typeof o.kind !== 'string' || !KINDS.has(o.kind))
    causes.push({ field: 'kind', message: `must be one of ${MESH_KINDS.join(', ')}` });
  if (typeof o.metadata?.name !== 'string' || o.metadata.name === '')
    causes.push({ field: 'metadata.name', message: 'is required' });
  if (o.metadata?.namespace !== undefined && typeof o.metadata.namespace !== 'string')
    causes.push({ field: 'metadata.namespace', message: 'must be a string' });
  if (typeof o.spec !== 'object' || o.spec === null || Array.isArray(o.spec))
    causes.push({ field: 'spec', message: 'must be an object' });
  return causes.length > 0 ? { ok: false, causes } : { ok: true, value: o as MeshResource };
}

/**
 * A snapshot of raw objects as the server sent them, validated as a whole: every object's shape, and
 * every reference between them. Any problem refuses the whole snapshot (never half applied).
 */
export function buildSnapshot(
  objects: Iterable<unknown>,
  resourceVersion: string | undefined,
  parse: ResourceParser,
): SnapshotResult {
  const resources: MeshResource[] = [];
  const problems: string[] = [];
  const label = (o: unknown) => {
    const r = o as { kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } };
    return `${String(r?.kind)} ${String(r?.metadata?.namespace ?? 'default')}/${String(r?.metadata?.name)}`;
  };
  const causeText = (c: Cause) => (c.field ? `${c.field}: ${c.message}` : c.message);
  for (const o of objects) {
    const parsed = parse(o);
    if (parsed.ok) resources.push(parsed.value);
    else problems.push(`${label(o)}: ${parsed.causes.map(causeText).join('; ')}`);
  }
  if (problems.length === 0) {
    for (const r of resources) {
      if (r.kind !== 'VirtualService' && r.kind !== 'DestinationRule') continue;
      const causes = crossValidate(
        r,
        resources.filter((o) => o !== r),
      );
      if (causes.length > 0) problems.push(`${label(r)}: ${causes.map(causeText).join('; ')}`);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  // Code-unit order, not localeCompare: that would load ICU's collation data (~3 MB) into every sidecar.
  resources.sort((a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return { ok: true, snapshot: { resources, ...(resourceVersion ? { resourceVersion } : {}) } };
}

/** Splits a stream of text into complete lines (the watch protocol: one JSON event a line). */
export function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) onLine(line);
      nl = buffer.indexOf('\n');
    }
  };
}

class WatchExpired extends Error {}

interface Target {
  kind: MeshKind;
  namespace?: string;
}

function targetPath(t: Target): string {
  return resourcePath(t.kind, t.namespace);
}

class Informer implements ControlPlaneSource {
  private snapshot: MeshSnapshot | undefined;
  private readonly objects = new Map<string, unknown>();
  private resourceVersion: string | undefined;
  private readonly listeners = new Set<(s: MeshSnapshot) => void>();
  private flushTimer: NodeJS.Timeout | undefined;
  private session: AbortController | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private isConnected = false;
  private closed = false;
  private lastProblem = '';
  private readonly targets: Target[];
  private firstSnapshot: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private lastError = '';

  constructor(
    private readonly options: ControlPlaneSourceOptions,
    private readonly parse: ResourceParser,
  ) {
    const namespaces = options.namespaces?.length ? options.namespaces : [undefined];
    this.targets = MESH_KINDS.flatMap((kind) =>
      namespaces.map((namespace) => ({ kind, ...(namespace !== undefined ? { namespace } : {}) })),
    );
  }

  start(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      this.firstSnapshot = { resolve, reject };
    });
    const timeoutMs = this.options.initialTimeoutMs ?? 15_000;
    const timer = setTimeout(() => {
      this.firstSnapshot?.reject(
        new Error(
          `no config from the control plane at ${this.options.url} after ${timeoutMs} ms${this.lastError ? `: ${this.lastError}` : ''}`,
        ),
      );
    }, timeoutMs);
    void this.runSession();
    return ready.finally(() => clearTimeout(timer));
  }

  current(): MeshSnapshot {
    if (!this.snapshot) throw new Error('the control plane source has no snapshot yet');
    return this.snapshot;
  }

  connected(): boolean {
    return this.isConnected;
  }

  subscribe(listener: (snapshot: MeshSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.session?.abort();
    clearTimeout(this.retryTimer);
    clearTimeout(this.flushTimer);
    this.firstSnapshot?.reject(new Error('the control plane source was closed'));
  }

  private headers(): Record<string, string> {
    return {
      accept: 'application/json',
      ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
    };
  }

  private async fetchOk(path: string, signal: AbortSignal): Promise<IncomingMessage> {
    const res = await openRequest(new URL(path, this.options.url), {
      headers: this.headers(),
      signal,
      ...(this.options.ca !== undefined ? { ca: this.options.ca } : {}),
    });
    const status = res.statusCode ?? 0;
    if (status === 410) {
      res.resume();
      throw new WatchExpired('resourceVersion expired');
    }
    if (status < 200 || status >= 300) {
      const text = await readText(res);
      let message = text.slice(0, 300);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // not a Status; keep the text
      }
      throw new Error(`${status} from ${path}: ${message}`);
    }
    return res;
  }

  /** One session: list everything, then watch each target until a stream fails; then retry. */
  private async runSession(): Promise<void> {
    if (this.closed) return;
    const session = new AbortController();
    this.session = session;
    try {
      const lists = await Promise.all(
        this.targets.map(async (t) => {
          const signal = AbortSignal.any([session.signal, AbortSignal.timeout(LIST_TIMEOUT_MS)]);
          const res = await this.fetchOk(targetPath(t), signal);
          const list = JSON.parse(await readText(res)) as {
            metadata?: { resourceVersion?: string };
            items?: unknown[];
          };
          return {
            target: t,
            resourceVersion: list.metadata?.resourceVersion ?? '',
            items: list.items ?? [],
          };
        }),
      );
      this.objects.clear();
      let rv: string | undefined;
      for (const l of lists) {
        for (const item of l.items) {
          // Lists omit kind and apiVersion on items in Kubernetes; fill them in.
          const o = { apiVersion: apiVersionOf(l.target.kind), kind: l.target.kind, ...(item as object) };
          this.objects.set(keyOf(o), o);
        }
        rv = maxVersion(rv, l.resourceVersion);
      }
      this.resourceVersion = rv;
      this.flush();
      this.isConnected = true;
      this.attempt = 0;
      this.options.onInfo?.(`synced with the control plane at resourceVersion ${rv ?? '?'}`);
      // Every watch runs until it fails; the first failure ends the session.
      await Promise.race(lists.map((l) => this.watch(l.target, l.resourceVersion, session.signal)));
      throw new Error('watch stream ended');
    } catch (err) {
      session.abort();
      this.isConnected = false;
      if (this.closed) return;
      const message = err instanceof Error ? err.message : String(err);
      const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
      this.lastError = `${message}${cause}`;
      if (!(err instanceof WatchExpired))
        this.options.onError?.(`control plane ${this.options.url}: ${this.lastError}`);
      // Expired is routine (relist at once, almost); the attempt count keeps a misbehaving server from a hot loop.
      const delay = backoffDelay(this.attempt++, this.options.backoff);
      this.retryTimer = setTimeout(() => void this.runSession(), delay);
    }
  }

  private async watch(target: Target, fromVersion: string, signal: AbortSignal): Promise<void> {
    const q = new URLSearchParams({
      watch: 'true',
      resourceVersion: fromVersion,
      allowWatchBookmarks: 'true',
    });
    const res = await this.fetchOk(`${targetPath(target)}?${q}`, signal);
    const split = lineSplitter((line) => this.onEvent(target, JSON.parse(line) as RawWatchEvent));
    res.setEncoding('utf8');
    for await (const chunk of res) split(chunk as string);
  }

  private onEvent(target: Target, event: RawWatchEvent): void {
    const o = event.object as {
      kind?: string;
      metadata?: { resourceVersion?: string; namespace?: unknown; name?: unknown };
    } | null;
    if (event.type === 'ERROR') {
      const status = o as { code?: number; message?: string } | null;
      if (status?.code === 410) throw new WatchExpired(status.message ?? 'expired');
      throw new Error(`watch error: ${status?.message ?? JSON.stringify(o)}`);
    }
    this.resourceVersion = maxVersion(this.resourceVersion, o?.metadata?.resourceVersion);
    if (event.type === 'BOOKMARK' || !o) return;
    const object = { apiVersion: apiVersionOf(target.kind), kind: target.kind, ...o };
    if (event.type === 'DELETED') this.objects.delete(keyOf(object));
    else this.objects.set(keyOf(object), object);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, this.options.coalesceMs ?? 10);
  }

  /** Builds and publishes the snapshot of what is known now, unless it is invalid. */
  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const result = buildSnapshot(this.objects.values(), this.resourceVersion, this.parse);
    if (!result.ok) {
      const problem = result.problems.join('\n  ');
      if (problem !== this.lastProblem) {
        this.lastProblem = problem;
        this.options.onError?.(
          `refused config at resourceVersion ${this.resourceVersion ?? '?'} from the control plane (keeping ${this.snapshot ? `resourceVersion ${this.snapshot.resourceVersion}` : 'no config'}):\n  ${problem}`,
        );
      }
      return;
    }
    this.lastProblem = '';
    const previous = this.snapshot;
    this.snapshot = result.snapshot;
    if (this.firstSnapshot) {
      this.firstSnapshot.resolve();
      this.firstSnapshot = undefined;
    }
    if (previous && JSON.stringify(previous.resources) === JSON.stringify(result.snapshot.resources)) return;
    if (!previous) return;
    for (const listener of this.listeners) {
      try {
        listener(result.snapshot);
      } catch (err) {
        this.options.onError?.(
          `a config listener failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }
}

/**
 * Connects to the control plane and resolves with the first complete snapshot; afterwards the source
 * follows every change until closed.
 */
export async function connectControlPlane(options: ControlPlaneSourceOptions): Promise<ControlPlaneSource> {
  // The schema library is loaded only for full validation (a sidecar following our control plane skips it).
  const parse =
    options.validation === 'references'
      ? parseEnvelope
      : (await import('../../../lib/mesh-config/validate')).parseResource;
  const informer = new Informer(options, parse);
  try {
    await informer.start();
  } catch (err) {
    await informer.close();
    throw err;
  }
  return informer;
}
