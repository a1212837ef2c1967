// Which sidecar admin port the dashboard may read for a workload: only addresses the control plane's
// registrations hold (a WorkloadEntry's address and its `prometheus.io/port` annotation), never a URL
// from the request; and by default only loopback ones, so the dashboard cannot be turned into a probe
// of other hosts through a registration.
import { isIP } from 'node:net';
import { ANNOTATION_SCRAPE_PORT, LABEL_WORKLOAD } from '../mesh-config/labels';
import type { WorkloadEntry } from '../mesh-config/schema';

export interface AdminTarget {
  /** The WorkloadEntry's name: the instance. */
  name: string;
  address: string;
  healthy: boolean | undefined;
  /** The admin port's origin (`http://127.0.0.1:15000`), or why it may not be read. */
  admin: { ok: true; origin: string } | { ok: false; reason: string };
}

/** True for 127.0.0.0/8 and ::1 (IP literals only: a name could resolve anywhere). */
export function isLoopback(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.');
  return address === '::1' || address === '[::1]';
}

function healthyOf(we: WorkloadEntry): boolean | undefined {
  const c = we.status?.conditions?.find((x) => x.type === 'Healthy');
  return c ? c.status === 'True' : undefined;
}

/**
 * The instances of `workload` in `namespace` (as the inventory groups WorkloadEntries) with their admin
 * origins. `allowRemote`: registered non-loopback IP literals are allowed too (a mesh across hosts).
 */
export function adminTargets(
  entries: readonly WorkloadEntry[],
  namespace: string,
  workload: string,
  allowRemote: boolean,
): AdminTarget[] {
  return entries
    .filter((we) => {
      const labels = { ...(we.metadata.labels ?? {}), ...(we.spec.labels ?? {}) };
      return (
        (we.metadata.namespace ?? 'default') === namespace &&
        (labels[LABEL_WORKLOAD] ?? we.metadata.name) === workload
      );
    })
    .map((we) => ({
      name: we.metadata.name,
      address: we.spec.address,
      healthy: healthyOf(we),
      admin: adminOrigin(we.spec.address, we.metadata.annotations?.[ANNOTATION_SCRAPE_PORT], allowRemote),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function adminOrigin(address: string, port: string | undefined, allowRemote: boolean): AdminTarget['admin'] {
  if (port === undefined)
    return { ok: false, reason: `it names no admin port (annotation ${ANNOTATION_SCRAPE_PORT})` };
  const n = Number(port);
  if (!/^\d{1,5}$/.test(port) || n < 1 || n > 65535)
    return { ok: false, reason: `its admin port ${JSON.stringify(port.slice(0, 20))} is not a port number` };
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0)
    return { ok: false, reason: `its address ${JSON.stringify(address.slice(0, 80))} is not an IP address` };
  if (!isLoopback(bare) && !allowRemote)
    return {
      ok: false,
      reason: `its address ${bare} is not loopback (set MESHLENS_PROXY_ADMIN_REMOTE=1 to read registered remote sidecars)`,
    };
  return { ok: true, origin: `http://${family === 6 ? `[${bare}]` : bare}:${n}` };
}
