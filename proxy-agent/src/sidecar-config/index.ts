// How a sidecar gets its config: a static YAML file, or the control plane's watch plus registration of
// its instance (heartbeats, deregistration on close). The sidecar's client side of the control plane.
export type { ConfigSource, MeshSnapshot } from './config-source';
export { type ControlPlaneLink, linkControlPlane } from './control-plane-link';
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
