// Library entry: start the mesh's parts in-process (tests, embedding).
export * from './control-plane/index';
export * from './demo/index';
export * from './sidecar/index';
export * from './sidecar-config/index';
export * from './trace-store/index';
