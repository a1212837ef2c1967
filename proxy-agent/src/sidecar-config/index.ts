// How a sidecar gets its config: a static YAML file, or the control plane's watch plus registration of
// its instance (heartbeats, deregistration on close) and its workload certificate from the CA.
// The sidecar's client side of the control plane.

export {
  type CertificateSourceOptions,
  renewalDelayMs,
  startCertificateSource,
} from './certificate-source';
export type { ConfigSource, MeshSnapshot } from './config-source';
export {
  CONTROL_PLANE_FLAGS,
  CONTROL_PLANE_FLAGS_USAGE,
  type ControlPlaneFlagValues,
  linkOptionsFromFlags,
} from './control-plane-flags';
export {
  CA_FILE_ENV,
  type ControlPlaneLink,
  type ControlPlaneLinkOptions,
  controlPlaneCa,
  linkControlPlane,
} from './control-plane-link';
export {
  type ControlPlaneSource,
  type ControlPlaneSourceOptions,
  connectControlPlane,
} from './control-plane-source';
export { type Registration, type RegistrationOptions, startRegistration } from './registration';
export {
  ConfigFileError,
  type ConfigProblem,
  loadConfigFile,
  parseConfigText,
  staticFileSource,
  staticSource,
} from './static-file-source';
export type { CertificateSource, WorkloadCertificate } from './workload-certificate';
export { newKeyAndCsr } from './workload-csr';
