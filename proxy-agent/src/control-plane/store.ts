// The resource store: applies mutations in arrival order, persists each batch (group commit) before
// answering, appends the audit log, and only then publishes the changes to watchers.
import { randomUUID } from 'node:crypto';
import type { MeshKind, MeshResource } from '../../../lib/mesh-config/schema';
import { type Actor, type AuditFilter, AuditLog, auditEntry } from './audit-log';
import type { MeshStore, Subscription } from './mesh-store';
import { loadState, saveState } from './persistence';
import {
  applyMutation,
  type Change,
  cloneState,
  listObjects,
  type Mutation,
  objectKey,
  type ResourceState,
} from './resource-state';
import { ApiError } from './status';
import { type WatchEvent, type WatchFilter, WatchHub } from './watch-hub';

interface Pending {
  mutation: Mutation;
  actor: Actor;
  resolve: (c: Change) => void;
  reject: (e: unknown) => void;
}

export interface StoreOptions {
  dataDir: string;
  historySize?: number;
  historyBytes?: number;
  /** Objects held, all kinds together; a create beyond it is refused (403). */
  maxObjects?: number;
  auditScanBytes?: number;
  /** The size at which the audit log rotates. */
  auditMaxBytes?: number;
  /** Where write failures of the audit log are reported (the change itself stands). */
  log?: (message: string) => void;
}

export class ResourceStore implements MeshStore {
  readonly kind = 'file' as const;
  private pending: Pending[] = [];
  private draining: Promise<void> | undefined;
  private closed = false;
  readonly hub: WatchHub;

  private constructor(
    private state: ResourceState,
    private readonly audit: AuditLog,
    private readonly options: StoreOptions,
  ) {
    this.hub = new WatchHub(state.resourceVersion, options.historySize, options.historyBytes);
  }

  static async open(options: StoreOptions): Promise<ResourceStore> {
    const state = await loadState(options.dataDir);
    const audit = await AuditLog.open(options.dataDir, {
      scanBytes: options.auditScanBytes,
      maxBytes: options.auditMaxBytes,
    });
    return new ResourceStore(state, audit, options);
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

  readAudit(filter: AuditFilter) {
    return this.audit.read(filter);
  }

  /** One process holds the state: what it answers is always current. */
  sync(): Promise<void> {
    return Promise.resolve();
  }

  subscribe(
    filter: WatchFilter,
    fromVersion: number,
    listener: (events: readonly WatchEvent[]) => void,
  ): Promise<Subscription> {
    try {
      return Promise.resolve(this.hub.subscribe(filter, fromVersion, listener));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Applies a mutation; resolves once it is on disk, rejects with the ApiError it is refused with.
   * A dry run decides on a copy of the state and keeps nothing (`?dryRun=All`).
   */
  mutate(mutation: Mutation, actor: Actor, options: { dryRun?: boolean } = {}): Promise<Change> {
    if (this.closed)
      return Promise.reject(new ApiError(503, 'ServiceUnavailable', 'the control plane is stopping'));
    if (options.dryRun) {
      try {
        return Promise.resolve(applyMutation(cloneState(this.state), mutation, this.context(new Date())));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ mutation, actor, resolve, reject });
      this.draining ??= this.drain().finally(() => {
        this.draining = undefined;
      });
    });
  }

  private context(now: Date) {
    return {
      now,
      newUid: randomUUID,
      ...(this.options.maxObjects !== undefined ? { maxObjects: this.options.maxObjects } : {}),
    };
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      const work = cloneState(this.state);
      const now = new Date();
      const results = batch.map((p): { p: Pending; change: Change } | { p: Pending; error: unknown } => {
        try {
          return {
            p,
            change: applyMutation(work, p.mutation, this.context(now)),
          };
        } catch (error) {
          return { p, error };
        }
      });
      const accepted = results.filter((r): r is { p: Pending; change: Change } => 'change' in r);
      if (accepted.length > 0) {
        try {
          await saveState(this.options.dataDir, work);
        } catch (err) {
          const error = new ApiError(
            500,
            'InternalError',
            `cannot persist the change: ${err instanceof Error ? err.message : String(err)}`,
          );
          for (const r of accepted) r.p.reject(error);
          for (const r of results) if ('error' in r) r.p.reject(r.error);
          continue;
        }
        try {
          await this.audit.append(
            accepted.map((r) => auditEntry(r.p.mutation.verb, r.change, r.p.actor, now)),
          );
        } catch (err) {
          this.options.log?.(`audit log write failed: ${err instanceof Error ? err.message : String(err)}`);
        }
        // State and watchers change together (synchronously), so a list's resourceVersion is always one
        // a watch can start from.
        this.state = work;
        this.hub.publish(
          accepted.map((r) => ({ type: r.change.type, object: r.change.object })),
          work.resourceVersion,
        );
      }
      for (const r of results) {
        if ('change' in r) r.p.resolve(r.change);
        else r.p.reject(r.error);
      }
    }
  }

  /** Refuses new mutations, finishes the queued ones, closes the audit log. */
  async close(): Promise<void> {
    this.closed = true;
    await this.draining;
    await this.audit.close();
  }
}
