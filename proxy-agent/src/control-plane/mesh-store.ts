// What the API needs of a store, whichever holds the state: the file store (one control plane, the
// default) or etcd (several control planes side by side, see ./etcd/).
import type { MeshKind, MeshResource } from '../../../lib/mesh-config/schema';
import type { Actor, AuditEntry, AuditFilter } from './audit-log';
import type { Change, Mutation } from './resource-state';
import type { WatchEvent, WatchFilter } from './watch-hub';

export interface Subscription {
  /** Events after the asked version already known, to send first. */
  replay: WatchEvent[];
  unsubscribe: () => void;
}

/** How a watch that ends on the store's side (an etcd watch cancelled by compaction) is reported. */
export type WatchEnd = (error?: Error) => void;

export interface MeshStore {
  readonly kind: 'file' | 'etcd';
  /** The version of what get/list answer now (a list's resourceVersion). */
  readonly resourceVersion: string;
  get(kind: MeshKind, namespace: string, name: string): MeshResource | undefined;
  list(kind: MeshKind, namespace?: string): MeshResource[];
  all(): MeshResource[];
  /** Resolves once get/list reflect every write acknowledged anywhere before the call (a consistent read). */
  sync(): Promise<void>;
  /**
   * Changes after `fromVersion` (replayed, then live). Rejects with a 410 Expired ApiError when that
   * version is gone; `onEnd` reports a live watch that the store ended.
   */
  subscribe(
    filter: WatchFilter,
    fromVersion: number,
    listener: (events: readonly WatchEvent[]) => void,
    onEnd: WatchEnd,
  ): Promise<Subscription>;
  mutate(mutation: Mutation, actor: Actor, options?: { dryRun?: boolean }): Promise<Change>;
  readAudit(filter: AuditFilter): Promise<AuditEntry[]>;
  close(): Promise<void>;
}
