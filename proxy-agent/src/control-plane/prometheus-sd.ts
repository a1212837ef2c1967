// Prometheus HTTP service discovery (`http_sd_configs`): one target group per live registered sidecar,
// its admin address and Istio-style labels, so Prometheus scrapes what registers, without restarts.
import {
  ANNOTATION_SCRAPE_PATH,
  ANNOTATION_SCRAPE_PORT,
  LABEL_APP,
  LABEL_CANONICAL_NAME,
  LABEL_CANONICAL_REVISION,
  LABEL_VERSION,
  LABEL_WORKLOAD,
} from '../../../lib/mesh-config/labels';
import type { MeshResource, WorkloadEntry } from '../../../lib/mesh-config/schema';
import { isHealthy } from './registry';

export const DEFAULT_METRICS_PATH = '/stats/prometheus';

export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

function hostPort(address: string, port: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The http_sd answer for these resources: every healthy WorkloadEntry that names a scrape port. */
export function prometheusTargets(resources: readonly MeshResource[]): TargetGroup[] {
  const groups: TargetGroup[] = [];
  for (const r of resources) {
    if (r.kind !== 'WorkloadEntry') continue;
    const we = r as WorkloadEntry;
    const port = we.metadata.annotations?.[ANNOTATION_SCRAPE_PORT];
    if (!port || !/^\d+$/.test(port) || !isHealthy(we)) continue;
    const labels = { ...we.metadata.labels, ...we.spec.labels };
    const app = labels[LABEL_CANONICAL_NAME] ?? labels[LABEL_APP] ?? '';
    const version = labels[LABEL_CANONICAL_REVISION] ?? labels[LABEL_VERSION] ?? '';
    groups.push({
      targets: [hostPort(we.spec.address, port)],
      labels: {
        __metrics_path__: we.metadata.annotations?.[ANNOTATION_SCRAPE_PATH] ?? DEFAULT_METRICS_PATH,
        namespace: we.metadata.namespace ?? 'default',
        app,
        version,
        workload: labels[LABEL_WORKLOAD] ?? we.metadata.name,
      },
    });
  }
  return groups.sort((a, b) => (a.targets[0] ?? '').localeCompare(b.targets[0] ?? ''));
}
