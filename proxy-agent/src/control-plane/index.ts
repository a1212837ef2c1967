// The control plane: Istio resources behind a Kubernetes-style REST API, persisted, watched, audited;
// sidecar registration with heartbeats; Prometheus service discovery. The sidecar's side of it (config
// source, registration) is ../sidecar-config: the two speak HTTP and share only lib/mesh-config.

export { ANNOTATION_AUTO_REGISTRATION } from '../../../lib/mesh-config/labels';
export type { AuditEntry, AuditFilter } from './audit-log';
export { collectionPath, resourcePath } from './paths';
export { DEFAULT_METRICS_PATH, prometheusTargets, type TargetGroup } from './prometheus-sd';
export {
  CONDITION_HEALTHY,
  DEFAULT_HEARTBEAT_TTL_MS,
  isHealthy,
} from './registry';
export { type ControlPlane, type ControlPlaneOptions, startControlPlane } from './server';
export type { Status } from './status';
