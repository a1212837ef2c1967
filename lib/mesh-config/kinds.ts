// The resource kinds of the mesh config and their REST names: plain constants, free of the schema
// library, so light processes (the demo apps, the browser) can import them without zod.
export const API_VERSION = 'networking.istio.io/v1';

export const MESH_KINDS = ['VirtualService', 'DestinationRule', 'ServiceEntry', 'WorkloadEntry'] as const;
export type MeshKindName = (typeof MESH_KINDS)[number];

/** Each kind's `apiVersion` (group/version): Istio's kinds live in several API groups. */
export const KIND_API_VERSIONS: Record<MeshKindName, string> = {
  VirtualService: API_VERSION,
  DestinationRule: API_VERSION,
  ServiceEntry: API_VERSION,
  WorkloadEntry: API_VERSION,
};

export function apiVersionOf(kind: MeshKindName): string {
  return KIND_API_VERSIONS[kind];
}

/** Kubernetes plural resource names, as in the REST paths. */
export const PLURALS: Record<MeshKindName, string> = {
  VirtualService: 'virtualservices',
  DestinationRule: 'destinationrules',
  ServiceEntry: 'serviceentries',
  WorkloadEntry: 'workloadentries',
};
