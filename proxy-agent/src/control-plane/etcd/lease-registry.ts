// Registration health over etcd leases: each auto-registered WorkloadEntry carries its own lease
// (TTL = --remove-after), a heartbeat on any control plane renews it, and etcd deletes the entry when
// it runs out, whether or not the control plane that took the registration is still alive. Between
// --heartbeat-ttl and removal any control plane marks the silent entry Healthy=False.
import type { WorkloadEntry } from '../../../../lib/mesh-config/schema';
import type { Actor } from '../audit-log';
import { healthStatus, isAutoRegistered, isHealthy, type Registrations } from '../registry';
import { notFound } from '../status';
import type { EtcdStore } from './etcd-store';

const SYSTEM: Actor = { identity: 'system:control-plane' };

export class LeaseRegistry implements Registrations {
  private readonly timer: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly store: EtcdStore,
    private readonly options: { ttlMs: number; log?: (message: string) => void },
  ) {
    const every = Math.min(Math.max(options.ttlMs / 4, 50), 5000);
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
  }

  async heartbeat(namespace: string, name: string, actor: Actor): Promise<WorkloadEntry> {
    await this.store.sync();
    const we = this.store.get('WorkloadEntry', namespace, name) as WorkloadEntry | undefined;
    if (!we) throw notFound('WorkloadEntry', name);
    const lease = this.store.leaseOf('WorkloadEntry', namespace, name);
    if (lease !== undefined && !(await this.store.keepAlive(lease))) throw notFound('WorkloadEntry', name);
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

  /** Marks entries unhealthy whose lease has not been renewed for the TTL; etcd removes them later. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      for (const o of this.store.list('WorkloadEntry')) {
        const we = o as WorkloadEntry;
        if (!isAutoRegistered(we) || !isHealthy(we)) continue;
        const namespace = we.metadata.namespace ?? 'default';
        const lease = this.store.leaseOf('WorkloadEntry', namespace, we.metadata.name);
        if (lease === undefined) continue;
        try {
          const times = await this.store.leaseTimes(lease);
          if (!times) continue;
          const silentMs = (times.grantedS - times.ttlS) * 1000;
          if (silentMs <= this.options.ttlMs) continue;
          await this.store.mutate(
            {
              verb: 'status',
              kind: 'WorkloadEntry',
              namespace,
              name: we.metadata.name,
              resourceVersion: we.metadata.resourceVersion,
              status: healthStatus(false, new Date(), `no heartbeat for ${(silentMs / 1000).toFixed(0)}s`),
            },
            SYSTEM,
          );
        } catch (err) {
          // Another control plane (or a heartbeat) got there first; the next sweep decides again.
          const code = (err as { code?: number }).code;
          if (code !== 409 && code !== 404)
            this.options.log?.(`lease sweep of ${namespace}/${we.metadata.name}: ${String(err)}`);
        }
      }
    } finally {
      this.sweeping = false;
    }
  }

  /** A registration's lease starts with its write: nothing to remember here. */
  touch(): void {}

  close(): void {
    clearInterval(this.timer);
  }
}
