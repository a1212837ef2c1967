// Library entry: start the mesh's parts in-process (tests, embedding).
export * from './control-plane/index';
export * from './demo/index';
// The one way a port is picked for a process about to start (the benches take it from the built agent).
export { freePort } from './net/free-port';
export * from './sidecar/index';
export * from './sidecar-config/index';
export * from './trace-store/index';
