// Library entry of the sidecar.
export {
  ConfigFileError,
  type ConfigProblem,
  loadConfigFile,
  parseConfigText,
  staticFileSource,
  staticSource,
} from '../config/static-file-source';
export { MeshCompileError } from './mesh-model';
export {
  type ApplyResult,
  DEFAULT_OTLP_ENDPOINT,
  type SidecarHandle,
  type SidecarOptions,
  startSidecar,
} from './sidecar';
