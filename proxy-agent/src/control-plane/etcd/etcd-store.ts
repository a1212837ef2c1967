// The mesh config in etcd, for several control planes over one etcd cluster, as kube-apiserver keeps
// it: an object's resourceVersion is its etcd mod_revision, every write is one etcd transaction (the
// same pure rules as the file store decide it), and each control plane mirrors the objects through one
// etcd watch (kube-apiserver's watch cache) to answer reads and watches. Registrations carry leases.
import { randomUUID } from 'node:crypto';
import {
  Etcd3,
  type IKeyValue,
  type IRequestOp,
  type IResponseOp,
  type IWatchResponse,
  type Watcher,
} from 'etcd3';
import type { MeshKind, MeshResource } from '../../../../lib/mesh-config/schema';
import { type Actor, type AuditEntry, type AuditFilter, auditEntry, selectEntries } from '../audit-log';
import { DEFAULT_AUDIT_SCAN_ENTRIES, DEFAULT_HISTORY, DEFAULT_HISTORY_BYTES } from '../limits';
import type { MeshStore, Subscription, WatchEnd } from '../mesh-store';
import { isAutoRegistered } from '../registry';
import {
  applyMutation,
  type Change,
  cloneState,
  emptyState,
  keyOf,
  listObjects,
  type Mutation,
  objectKey,
  type ResourceState,
} from '../resource-state';
import { ApiError, expired, notFound } from '../status';
import { type WatchEvent, type WatchFilter, WatchHub } from '../watch-hub';
import {
  AUDIT_PREFIX,
  isCompacted,
  kindPrefix,
  OBJECT_PREFIX,
  OBJECTS,
  objectKeyOf,
  prefixEnd,
  SEQUENCE_KEY,
} from './keys';

/** A unary etcd call (range, txn, lease) must answer within this; flag `--etcd-call-timeout`. */
export const DEFAULT_ETCD_CALL_TIMEOUT_MS = 5_000;
/** Transactions lost to other control planes' writes before a write gives up (503, retry). */
export const MAX_TXN_ATTEMPTS = 8;
/**
 * etcd keeps every revision until compacted: like kube-apiserver (--etcd-compaction-interval), each
 * control plane compacts to the revision it saw one interval earlier. Flag `--etcd-compaction-interval`.
 */
export const DEFAULT_COMPACTION_INTERVAL_MS = 5 * 60_000;
/** Audit entries kept in etcd; older ones are deleted (the file store's log is rotated by hand). Flag `--audit-max-entries`. */
export const DEFAULT_AUDIT_MAX_ENTRIES = 100_000;
/** Writes between two checks of the audit entries' count. */
const AUDIT_TRIM_EVERY = 100;

export interface EtcdStoreOptions {
  /** `http://host:port` of each member. */
  hosts: string[];
  historySize?: number;
  historyBytes?: number;
  maxObjects?: number;
  auditScanEntries?: number;
  /** Lease TTL of auto-registered WorkloadEntries: etcd deletes them when no heartbeat renews it. */
  registrationTtlMs: number;
  callTimeoutMs?: number;
  compactionIntervalMs?: number;
  auditMaxEntries?: number;
  log?: (message: string) => void;
}

function buf(s: string): Buffer {
  return Buffer.from(s);
}

/** An object as stored: without its resourceVersion, which is the key's mod_revision. */
function encode(o: MeshResource): Buffer {
  const { resourceVersion: _rv, ...metadata } = o.metadata;
  return buf(JSON.stringify({ ...o, metadata }));
}

function decode(kv: IKeyValue, revision = kv.mod_revision): MeshResource {
  const o = JSON.parse(kv.value.toString()) as MeshResource;
  return { ...o, metadata: { ...o.metadata, resourceVersion: String(revision) } } as MeshResource;
}

function withVersion(o: MeshResource, rv: number): MeshResource {
  return { ...o, metadata: { ...o.metadata, resourceVersion: String(rv) } } as MeshResource;
}

function matches(f: WatchFilter, o: MeshResource): boolean {
  return (
    o.kind === f.kind && (f.namespace === undefined || (o.metadata.namespace ?? 'default') === f.namespace)
  );
}

function unavailable(err: unknown): ApiError {
  return new ApiError(
    503,
    'ServiceUnavailable',
    `etcd did not answer: ${err instanceof Error ? err.message : String(err)}`,
  );
}

export class EtcdStore implements MeshStore {
  readonly kind = 'etcd' as const;
  readonly hub: WatchHub;
  private state: ResourceState = emptyState();
  /** Object key → etcd lease id, for the keys that carry one. */
  private readonly leases = new Map<string, string>();
  /** mod_revision of the sequence key as this mirror has seen it. */
  private sequence = 0;
  private waiters: { revision: number; resolve: () => void }[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private mirror: Watcher | undefined;
  private readonly watchers = new Set<Watcher>();
  private closed = false;
  private compactor: NodeJS.Timeout | undefined;
  private writes = 0;

  private constructor(
    readonly client: Etcd3,
    private readonly options: EtcdStoreOptions,
    revision: number,
  ) {
    this.hub = new WatchHub(
      revision,
      options.historySize ?? DEFAULT_HISTORY,
      options.historyBytes ?? DEFAULT_HISTORY_BYTES,
    );
    this.state.resourceVersion = revision;
  }

  static async open(options: EtcdStoreOptions): Promise<EtcdStore> {
    const timeout = options.callTimeoutMs ?? DEFAULT_ETCD_CALL_TIMEOUT_MS;
    const client = new Etcd3({
      hosts: options.hosts,
      dialTimeout: timeout,
      // Unary calls get a deadline (a member that hangs must not hang a request); streams run on.
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    });
    try {
      const res = await client.kv.range({ key: buf(OBJECTS), range_end: prefixEnd(OBJECTS) });
      const store = new EtcdStore(client, options, Number(res.header.revision));
      for (const kv of res.kvs) store.absorb(kv, 'Put');
      await store.startMirror(Number(res.header.revision));
      store.startCompactor();
      return store;
    } catch (err) {
      client.close();
      throw new Error(
        `cannot reach etcd at ${options.hosts.join(',')}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  private log(m: string): void {
    this.options.log?.(m);
  }

  /** Compacts etcd to the revision of one interval ago; several control planes doing it is harmless. */
  private startCompactor(): void {
    let previous: number | undefined;
    this.compactor = setInterval(() => {
      void (async () => {
        try {
          const now = Number((await this.client.kv.range({ key: buf(SEQUENCE_KEY) })).header.revision);
          if (previous !== undefined && previous > 0) {
            await this.client.kv.compact({ revision: previous });
            this.hub.forget(previous);
          }
          previous = now;
        } catch (err) {
          if (!isCompacted(err)) this.log(`etcd compaction: ${String(err)}`);
        }
      })();
    }, this.options.compactionIntervalMs ?? DEFAULT_COMPACTION_INTERVAL_MS);
    this.compactor.unref();
  }

  /** Deletes the oldest audit entries beyond the cap (checked every AUDIT_TRIM_EVERY writes). */
  private async trimAudit(): Promise<void> {
    const max = this.options.auditMaxEntries ?? DEFAULT_AUDIT_MAX_ENTRIES;
    const range = { key: buf(AUDIT_PREFIX), range_end: prefixEnd(AUDIT_PREFIX) };
    const count = Number((await this.client.kv.range({ ...range, count_only: true })).count);
    if (count <= max) return;
    const oldest = await this.client.kv.range({ ...range, keys_only: true, limit: count - max });
    const last = oldest.kvs.at(-1)?.key;
    if (!last) return;
    await this.client.kv.deleteRange({
      key: buf(AUDIT_PREFIX),
      range_end: Buffer.concat([last, Buffer.from([0])]),
    });
  }

  private async startMirror(revision: number): Promise<void> {
    const w = await this.client
      .watch()
      .prefix(OBJECTS)
      .withPreviousKV()
      .startRevision(String(revision + 1))
      .create();
    this.mirror = w;
    w.on('data', (res: IWatchResponse) => this.onMirror(res));
    w.on('error', (err) => void this.relist(err));
  }

  /** The mirror's watch was cancelled (compacted while etcd was away): list again, publish the difference. */
  private async relist(err: unknown): Promise<void> {
    if (this.closed) return;
    this.log(`etcd mirror watch ended (${String(err)}); listing again`);
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const res = await this.client.kv.range({ key: buf(OBJECTS), range_end: prefixEnd(OBJECTS) });
        const revision = Number(res.header.revision);
        const seen = new Set<string>();
        const events: WatchEvent[] = [];
        for (const kv of res.kvs) {
          const e = this.absorb(kv, 'Put');
          if (e) {
            seen.add(keyOf(e.object));
            const old = e.type === 'MODIFIED' ? e.old : undefined;
            if (!old || old.metadata.resourceVersion !== e.object.metadata.resourceVersion)
              events.push({ type: e.type, object: e.object });
          }
        }
        for (const [key, o] of this.state.objects) {
          if (seen.has(key)) continue;
          this.state.objects.delete(key);
          this.leases.delete(key);
          events.push({ type: 'DELETED', object: withVersion(o, revision) });
        }
        this.advance(events, revision);
        await this.startMirror(revision);
        return;
      } catch (e) {
        if (attempt % 10 === 0) this.log(`etcd relist failed: ${String(e)}`);
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 2000)));
      }
    }
  }

  /** Applies one key's change to the mirror; the event it makes for watchers, if any. */
  private absorb(
    kv: IKeyValue,
    type: 'Put' | 'Delete',
    prev?: IKeyValue,
  ): (WatchEvent & { old?: MeshResource }) | undefined {
    const key = kv.key.toString();
    const revision = Number(kv.mod_revision);
    if (key === SEQUENCE_KEY) {
      if (type === 'Put') this.sequence = Math.max(this.sequence, revision);
      return undefined;
    }
    if (!key.startsWith(OBJECT_PREFIX)) return undefined;
    const [kind, namespace, name] = key.slice(OBJECT_PREFIX.length).split('/') as [MeshKind, string, string];
    const k = objectKey(kind, namespace, name);
    const old = this.state.objects.get(k);
    if (type === 'Delete') {
      this.state.objects.delete(k);
      this.leases.delete(k);
      let was = old;
      if (!was && prev?.value?.length) was = safeDecode(prev, this.options.log);
      return was ? { type: 'DELETED', object: withVersion(was, revision) } : undefined;
    }
    const object = safeDecode(kv, this.options.log);
    if (!object) return undefined;
    this.state.objects.set(k, object);
    if (kv.lease && kv.lease !== '0') this.leases.set(k, kv.lease);
    else this.leases.delete(k);
    return old ? { type: 'MODIFIED', object, old } : { type: 'ADDED', object };
  }

  private onMirror(res: IWatchResponse): void {
    let revision = this.state.resourceVersion;
    const events: WatchEvent[] = [];
    for (const ev of res.events) {
      const e = this.absorb(ev.kv, ev.type === 'Delete' ? 'Delete' : 'Put', ev.prev_kv);
      if (e) events.push({ type: e.type, object: e.object });
      revision = Math.max(revision, Number(ev.kv.mod_revision));
    }
    this.advance(events, revision);
  }

  private advance(events: WatchEvent[], revision: number): void {
    this.state.resourceVersion = Math.max(this.state.resourceVersion, revision);
    this.hub.publish(events, this.state.resourceVersion);
    const ready = this.waiters.filter((w) => w.revision <= this.state.resourceVersion);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.revision > this.state.resourceVersion);
    for (const w of ready) w.resolve();
  }

  /** Resolves once the mirror has seen `revision` (false when that took longer than the call timeout). */
  private reach(revision: number): Promise<boolean> {
    if (this.state.resourceVersion >= revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, this.options.callTimeoutMs ?? DEFAULT_ETCD_CALL_TIMEOUT_MS);
      const waiter = {
        revision,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      this.waiters.push(waiter);
    });
  }

  get resourceVersion(): string {
    return String(this.state.resourceVersion);
  }

  get(kind: MeshKind, namespace: string, name: string): MeshResource | undefined {
    return this.state.objects.get(objectKey(kind, namespace, name));
  }

  list(kind: MeshKind, namespace?: string): MeshResource[] {
    return listObjects(this.state, kind, namespace);
  }

  all(): MeshResource[] {
    return [...this.state.objects.values()];
  }

  /** The lease an auto-registered WorkloadEntry carries, if the mirror knows it. */
  leaseOf(kind: MeshKind, namespace: string, name: string): string | undefined {
    return this.leases.get(objectKey(kind, namespace, name));
  }

  /**
   * A consistent read, as kube-apiserver serves one from its watch cache: the sequence key's revision
   * now (a quorum read), then wait for the mirror to have seen it.
   */
  async sync(): Promise<void> {
    let res: Awaited<ReturnType<Etcd3['kv']['range']>>;
    try {
      res = await this.client.kv.range({ key: buf(SEQUENCE_KEY) });
    } catch (err) {
      throw unavailable(err);
    }
    const target = Number(res.kvs[0]?.mod_revision ?? 0);
    if (!(await this.reach(target)))
      throw new ApiError(504, 'Timeout', `the etcd watch has not caught up with revision ${target}`);
  }

  async subscribe(
    filter: WatchFilter,
    fromVersion: number,
    listener: (events: readonly WatchEvent[]) => void,
    onEnd: WatchEnd,
  ): Promise<Subscription> {
    try {
      return this.hub.subscribe(filter, fromVersion, listener);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
    // Not in this control plane's history (older, or written through another one it has not seen yet):
    // an etcd watch of its own from there; etcd says whether the revision was compacted.
    return this.etcdWatch(filter, fromVersion, listener, onEnd);
  }

  private async etcdWatch(
    filter: WatchFilter,
    fromVersion: number,
    listener: (events: readonly WatchEvent[]) => void,
    onEnd: WatchEnd,
  ): Promise<Subscription> {
    const prefix = kindPrefix(filter.kind, filter.namespace);
    try {
      // A range at that revision fails when it was compacted (or lies in the future).
      await this.client.kv.range({
        key: buf(prefix),
        range_end: prefixEnd(prefix),
        revision: fromVersion,
        limit: 1,
        keys_only: true,
      });
    } catch (err) {
      if (isCompacted(err) || /future/i.test(String(err)))
        throw expired(String(fromVersion), String(this.hub.oldest));
      throw unavailable(err);
    }
    const w = await this.client
      .watch()
      .prefix(prefix)
      .withPreviousKV()
      .startRevision(String(fromVersion + 1))
      .create();
    this.watchers.add(w);
    w.on('data', (res: IWatchResponse) => {
      const events: WatchEvent[] = [];
      for (const ev of res.events) {
        const revision = Number(ev.kv.mod_revision);
        if (ev.type === 'Delete') {
          const was = ev.prev_kv?.value?.length ? safeDecode(ev.prev_kv, this.options.log) : undefined;
          if (was && matches(filter, was))
            events.push({ type: 'DELETED', object: withVersion(was, revision) });
        } else {
          const object = safeDecode(ev.kv, this.options.log);
          if (object && matches(filter, object))
            events.push({
              type: ev.kv.create_revision === ev.kv.mod_revision ? 'ADDED' : 'MODIFIED',
              object,
            });
        }
      }
      if (events.length > 0) listener(events);
    });
    w.on('error', (err) => {
      this.watchers.delete(w);
      onEnd(isCompacted(err) ? expired(String(fromVersion), String(this.hub.oldest)) : err);
    });
    return {
      replay: [],
      unsubscribe: () => {
        this.watchers.delete(w);
        void w.cancel().catch(() => {});
      },
    };
  }

  async mutate(mutation: Mutation, actor: Actor, options: { dryRun?: boolean } = {}): Promise<Change> {
    if (this.closed) throw new ApiError(503, 'ServiceUnavailable', 'the control plane is stopping');
    if (options.dryRun) {
      await this.sync();
      return applyMutation(cloneState(this.state), mutation, this.context(new Date()));
    }
    // One transaction at a time from this control plane; others race through the sequence key.
    const run = this.tail.then(() => this.commit(mutation, actor));
    this.tail = run.catch(() => {});
    return run;
  }

  private context(now: Date) {
    return {
      now,
      newUid: randomUUID,
      ...(this.options.maxObjects !== undefined ? { maxObjects: this.options.maxObjects } : {}),
    };
  }

  private async commit(m: Mutation, actor: Actor): Promise<Change> {
    for (let attempt = 0; attempt < MAX_TXN_ATTEMPTS; attempt++) {
      const now = new Date();
      let sequence = this.sequence;
      let change: Change;
      try {
        change = applyMutation(cloneState(this.state), m, this.context(now));
      } catch {
        // A refusal (not found, conflict, invalid) may come from a mirror behind a write made through
        // another control plane: decide again on a consistent view before answering with it.
        await this.sync();
        sequence = this.sequence;
        change = applyMutation(cloneState(this.state), m, this.context(now));
      }
      const o = change.object;
      const ns = o.metadata.namespace ?? 'default';
      const key = buf(objectKeyOf(o.kind, ns, o.metadata.name));
      let lease: string | undefined;
      let granted: string | undefined;
      if (change.type !== 'DELETED' && o.kind === 'WorkloadEntry' && isAutoRegistered(o)) {
        lease = this.leases.get(keyOf(o));
        if (lease === undefined) {
          try {
            const ttl = Math.max(2, Math.ceil(this.options.registrationTtlMs / 1000));
            granted = lease = (await this.client.leaseClient.leaseGrant({ TTL: ttl, ID: 0 })).ID;
          } catch (err) {
            throw unavailable(err);
          }
        }
      }
      const txnId = randomUUID();
      const { resourceVersion: _rv, ...audit } = auditEntry(m.verb, change, actor, now);
      const success: IRequestOp[] = [
        change.type === 'DELETED'
          ? { request_delete_range: { key } }
          : { request_put: { key, value: encode(o), ...(lease ? { lease } : {}) } },
        { request_put: { key: buf(SEQUENCE_KEY), value: buf(txnId) } },
        // The audit entry commits with the change, at the same revision (its resourceVersion).
        {
          request_put: {
            key: buf(`${AUDIT_PREFIX}${now.toISOString()}-${txnId}`),
            value: buf(JSON.stringify(audit)),
          },
        },
      ];
      let res: { succeeded: boolean; header: { revision: string }; responses: IResponseOp[] };
      try {
        res = await this.client.kv.txn({
          compare: [
            sequence === 0
              ? { key: buf(SEQUENCE_KEY), target: 'Create', result: 'Equal', create_revision: 0 }
              : { key: buf(SEQUENCE_KEY), target: 'Mod', result: 'Equal', mod_revision: sequence },
          ],
          success,
          // On failure: who wrote last? Our own id there means a retried call already committed.
          failure: [{ request_range: { key: buf(SEQUENCE_KEY) } }],
        });
      } catch (err) {
        if (granted) void this.revoke(granted);
        if (/lease not found/i.test(String(err))) throw notFound(o.kind, o.metadata.name);
        throw unavailable(err);
      }
      let revision: number | undefined;
      if (res.succeeded) revision = Number(res.header.revision);
      else {
        const seq = res.responses[0]?.response_range?.kvs[0];
        if (seq?.value.toString() === txnId) revision = Number(seq.mod_revision);
      }
      if (revision !== undefined) {
        const every = Math.max(
          1,
          Math.min(
            AUDIT_TRIM_EVERY,
            Math.floor((this.options.auditMaxEntries ?? DEFAULT_AUDIT_MAX_ENTRIES) / 2),
          ),
        );
        if (++this.writes % every === 0)
          void this.trimAudit().catch((err) => this.log(`audit trim: ${String(err)}`));
        if (!(await this.reach(revision)))
          this.log(`write at revision ${revision} acknowledged before the mirror saw it`);
        return { ...change, object: withVersion(o, revision) };
      }
      if (granted) void this.revoke(granted);
      // Another control plane wrote since this mirror's view: catch up and decide again.
      await this.sync();
    }
    throw new ApiError(503, 'ServiceUnavailable', 'too many concurrent writers; try again');
  }

  private async revoke(lease: string): Promise<void> {
    await this.client.leaseClient.leaseRevoke({ ID: lease }).catch(() => {});
  }

  /** Renews a registration's lease once; false when the lease is gone (the entry expired). */
  async keepAlive(lease: string): Promise<boolean> {
    let stream: Awaited<ReturnType<Etcd3['leaseClient']['leaseKeepAlive']>>;
    try {
      stream = await this.client.leaseClient.leaseKeepAlive();
    } catch (err) {
      throw unavailable(err);
    }
    const timeout = this.options.callTimeoutMs ?? DEFAULT_ETCD_CALL_TIMEOUT_MS;
    try {
      return await new Promise<boolean>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('lease keepalive timed out')), timeout);
        stream.on('data', (r) => {
          clearTimeout(timer);
          resolve(Number(r.TTL) > 0);
        });
        stream.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        stream.write({ ID: lease });
      });
    } catch (err) {
      throw unavailable(err);
    } finally {
      stream.end();
    }
  }

  /** Seconds a lease has left, and what it was granted; undefined when it is gone. */
  async leaseTimes(lease: string): Promise<{ ttlS: number; grantedS: number } | undefined> {
    const r = await this.client.leaseClient.leaseTimeToLive({ ID: lease });
    const ttlS = Number(r.TTL);
    return ttlS < 0 ? undefined : { ttlS, grantedS: Number(r.grantedTTL) };
  }

  async readAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    let res: Awaited<ReturnType<Etcd3['kv']['range']>>;
    try {
      res = await this.client.kv.range({
        key: buf(AUDIT_PREFIX),
        range_end: prefixEnd(AUDIT_PREFIX),
        sort_order: 'Descend',
        sort_target: 'Key',
        limit: this.options.auditScanEntries ?? DEFAULT_AUDIT_SCAN_ENTRIES,
      });
    } catch (err) {
      throw unavailable(err);
    }
    // Oldest first as the file holds them; selectEntries reads from the end.
    const lines = res.kvs
      .map((kv) => {
        try {
          return JSON.stringify({ ...JSON.parse(kv.value.toString()), resourceVersion: kv.mod_revision });
        } catch {
          return '';
        }
      })
      .reverse();
    return selectEntries(lines.join('\n'), filter);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.compactor);
    // With etcd gone, a queued write or a watch cancel would wait forever: each gets the call timeout.
    const bounded = (p: Promise<unknown>) => {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((r) => {
        timer = setTimeout(r, this.options.callTimeoutMs ?? DEFAULT_ETCD_CALL_TIMEOUT_MS);
      });
      return Promise.race([p.catch(() => {}), limit]).finally(() => clearTimeout(timer));
    };
    await bounded(this.tail);
    await bounded(
      Promise.all([...this.watchers, ...(this.mirror ? [this.mirror] : [])].map((w) => w.cancel())),
    );
    this.client.close();
  }
}

function safeDecode(kv: IKeyValue, log?: (m: string) => void): MeshResource | undefined {
  try {
    return decode(kv);
  } catch (err) {
    log?.(`etcd key ${kv.key.toString()} does not hold an object: ${String(err)}`);
    return undefined;
  }
}
