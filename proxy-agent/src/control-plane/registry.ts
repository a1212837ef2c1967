// Workload registration health: sidecars register as WorkloadEntries and heartbeat. An instance
// silent past the TTL gets condition Healthy=False (sidecars stop sending to it), and is removed
// later. Only auto-registered entries (Istio's annotation) expire; hand-written ones never do.
import { ANNOTATION_AUTO_REGISTRATION } from '../../../lib/mesh-config/labels';
import type { WorkloadEntry } from '../../../lib/mesh-config/schema';
import type { Actor } from './audit-log';
import type { WorkloadStatus } from './resource-state';
import { notFound } from './status';
import type { ResourceStore } from './store';

export const CONDITION_HEALTHY = 'Healthy';
export const DEFAULT_HEARTBEAT_TTL_MS = 15_000;

const SYSTEM: Actor = { identity: 'system:control-plane' };

export type HealthAction = 'none' | 'mark-unhealthy' | 'mark-healthy' | 'remove';

export function isAutoRegistered(we: WorkloadEntry): boolean {
  return we.metadata.annotations?.[ANNOTATION_AUTO_REGISTRATION] !== undefined;
}

/** Whether the entry is healthy as sidecars read it: only an explicit Healthy=False excludes it. */
export function isHealthy(we: { status?: WorkloadStatus }): boolean {
  const c = we.status?.conditions?.find((x) => x.type === CONDITION_HEALTHY);
  return c?.status !== 'False';
}

/** What the control plane does about an entry last heard from at `lastSeenMs`. */
export function healthAction(
  healthy: boolean,
  lastSeenMs: number,
  nowMs: number,
  ttlMs: number,
  removeAfterMs: number,
): HealthAction {
  const silent = nowMs - lastSeenMs;
  if (silent > removeAfterMs) return 'remove';
  if (silent > ttlMs) return healthy ? 'mark-unhealthy' : 'none';
  return 'none';
}

export function healthStatus(healthy: boolean, now: Date, message: string): WorkloadStatus {
  const time = now.toISOString();
  return {
    conditions: [
      {
        type: CONDITION_HEALTHY,
        status: healthy ? 'True' : 'False',
        lastProbeTime: time,
        lastTransitionTime: time,
        reason: healthy ? 'HeartbeatReceived' : 'HeartbeatTimeout',
        message,
      },
    ],
  };
}

export interface RegistryOptions {
  ttlMs: number;
  removeAfterMs: number;
  log?: (message: string) => void;
}

/** What the server asks of registration health, whichever store holds the entries. */
export interface Registrations {
  heartbeat(namespace: string, name: string, actor: Actor): Promise<WorkloadEntry>;
  /** A registration written through the API counts as a heartbeat. */
  touch(namespace: string, name: string): void;
  close(): void;
}

export class HealthTracker implements Registrations {
  private readonly lastSeen = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = Date.now();

  constructor(
    private readonly store: ResourceStore,
    private readonly options: RegistryOptions,
  ) {
    const every = Math.min(Math.max(options.ttlMs / 4, 50), 5000);
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
  }

  private key(namespace: string, name: string): string {
    return `${namespace}/${name}`;
  }

  /** Records a heartbeat; an entry marked unhealthy becomes healthy again. */
  async heartbeat(namespace: string, name: string, actor: Actor): Promise<WorkloadEntry> {
    const we = this.store.get('WorkloadEntry', namespace, name) as WorkloadEntry | undefined;
    if (!we) throw notFound('WorkloadEntry', name);
    this.lastSeen.set(this.key(namespace, name), Date.now());
    if (isHealthy(we)) return we;
    const change = await this.store.mutate(
      {
        verb: 'status',
        kind: 'WorkloadEntry',
        namespace,
        name,
        status: healthStatus(true, new Date(), 'heartbeat received'),
      },
      actor,
    );
    return change.object as WorkloadEntry;
  }

  /** One pass over the auto-registered entries: mark the silent unhealthy, remove the long silent. */
  async sweep(): Promise<void> {
    const now = Date.now();
    const live = new Set<string>();
    for (const o of this.store.list('WorkloadEntry')) {
      const we = o as WorkloadEntry;
      if (!isAutoRegistered(we)) continue;
      const namespace = we.metadata.namespace ?? 'default';
      const key = this.key(namespace, we.metadata.name);
      live.add(key);
      // Entries from before a restart get a full TTL from the start, as if they had just heartbeated.
      const seen = this.lastSeen.get(key) ?? this.startedAt;
      const action = healthAction(isHealthy(we), seen, now, this.options.ttlMs, this.options.removeAfterMs);
      if (action === 'none') continue;
      const target = { kind: 'WorkloadEntry' as const, namespace, name: we.metadata.name };
      const resourceVersion = we.metadata.resourceVersion;
      try {
        if (action === 'remove') {
          await this.store.mutate({ verb: 'delete', ...target, resourceVersion }, SYSTEM);
          this.lastSeen.delete(key);
        } else {
          const silentS = ((now - seen) / 1000).toFixed(1);
          await this.store.mutate(
            {
              verb: 'status',
              ...target,
              resourceVersion,
              status: healthStatus(false, new Date(now), `no heartbeat for ${silentS}s`),
            },
            SYSTEM,
          );
        }
      } catch (err) {
        // A concurrent change (a heartbeat, a re-registration) wins; the next sweep decides again.
        if ((err as { code?: number }).code !== 409 && (err as { code?: number }).code !== 404)
          this.options.log?.(`health sweep of ${key}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    for (const key of this.lastSeen.keys()) if (!live.has(key)) this.lastSeen.delete(key);
  }

  /** A new registration counts as a heartbeat. */
  touch(namespace: string, name: string): void {
    this.lastSeen.set(this.key(namespace, name), Date.now());
  }

  close(): void {
    clearInterval(this.timer);
  }
}
