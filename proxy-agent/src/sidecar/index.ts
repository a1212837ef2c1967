// Library entry of the sidecar.
export { MeshCompileError } from './mesh-model';
export {
  type ApplyResult,
  DEFAULT_OTLP_ENDPOINT,
  type SidecarHandle,
  type SidecarOptions,
  startSidecar,
} from './sidecar';
