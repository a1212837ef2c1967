// Library entry of the sidecar.
export {
  ConfigFileError,
  loadConfigFile,
  staticFileSource,
  staticSource,
} from '../config/static-file-source';
export { type ApplyResult, type SidecarHandle, type SidecarOptions, startSidecar } from './sidecar';
