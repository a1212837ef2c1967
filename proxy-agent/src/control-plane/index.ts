// The control plane: Istio resources behind a Kubernetes-style REST API, persisted, watched, audited;
// sidecar registration with heartbeats; Prometheus service discovery. Also the sidecar's side of it
// (config source, registration), for embedding and tests.
export {
  type ControlPlaneSource,
  type ControlPlaneSourceOptions,
  connectControlPlane,
} from '../config/control-plane-source';
export { type Registration, type RegistrationOptions, startRegistration } from '../config/registration';
export type { AuditEntry, AuditFilter } from './audit-log';
export { API_PREFIX, collectionPath, resourcePath } from './paths';
export { DEFAULT_METRICS_PATH, prometheusTargets, type TargetGroup } from './prometheus-sd';
export {
  ANNOTATION_AUTO_REGISTRATION,
  CONDITION_HEALTHY,
  DEFAULT_HEARTBEAT_TTL_MS,
  isHealthy,
} from './registry';
export { type ControlPlane, type ControlPlaneOptions, startControlPlane } from './server';
export { type ControlPlaneLink, linkControlPlane } from './sidecar-link';
export type { Status } from './status';
