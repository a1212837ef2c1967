// The resource kinds of the mesh config and their REST names: plain constants, free of the schema
// library, so light processes (the demo apps, the browser) can import them without zod.
export const API_VERSION = 'networking.istio.io/v1';
/** Istio's security API group (PeerAuthentication). */
export const SECURITY_API_VERSION = 'security.istio.io/v1';
/**
 * The mesh-wide config (Istio's MeshConfig, which istiod reads from the `istio` ConfigMap): served as
 * Meshlens' own kind, since Istio has no CRD for it. Only `istio-system/default` is in force.
 */
export const MESH_CONFIG_API_VERSION = 'mesh.meshlens.io/v1alpha1';

export const MESH_KINDS = [
  'VirtualService',
  'DestinationRule',
  'ServiceEntry',
  'WorkloadEntry',
  'PeerAuthentication',
  'Sidecar',
  'Gateway',
  'MeshConfig',
] as const;
export type MeshKindName = (typeof MESH_KINDS)[number];

/** Each kind's `apiVersion` (group/version): Istio's kinds live in several API groups. */
export const KIND_API_VERSIONS = {
  VirtualService: API_VERSION,
  DestinationRule: API_VERSION,
  ServiceEntry: API_VERSION,
  WorkloadEntry: API_VERSION,
  PeerAuthentication: SECURITY_API_VERSION,
  Sidecar: API_VERSION,
  Gateway: API_VERSION,
  MeshConfig: MESH_CONFIG_API_VERSION,
} as const satisfies Record<MeshKindName, string>;

export function apiVersionOf(kind: MeshKindName): string {
  return KIND_API_VERSIONS[kind];
}

/** Kubernetes plural resource names, as in the REST paths. */
export const PLURALS: Record<MeshKindName, string> = {
  VirtualService: 'virtualservices',
  DestinationRule: 'destinationrules',
  ServiceEntry: 'serviceentries',
  WorkloadEntry: 'workloadentries',
  PeerAuthentication: 'peerauthentications',
  Sidecar: 'sidecars',
  Gateway: 'gateways',
  MeshConfig: 'meshconfigs',
};
