// How kubectl names Istio's kinds: the short names and categories of Istio's CRDs, and the columns
// their additionalPrinterColumns print (istio/api's CRDs), so `kubectl get vs` reads as with Istio.
import type { MeshKind, MeshResource } from '../../../../lib/mesh-config/schema';

export const SHORT_NAMES: Record<MeshKind, string[]> = {
  VirtualService: ['vs'],
  DestinationRule: ['dr'],
  ServiceEntry: ['se'],
  WorkloadEntry: ['we'],
  PeerAuthentication: ['pa'],
  Gateway: ['gw'],
  Sidecar: ['sidecar'],
  MeshConfig: [],
};

/** `kubectl get istio-io` lists every kind; each group also has its own category. */
export function categoriesOf(group: string): string[] {
  return ['istio-io', group.replace(/\./g, '-')];
}

export interface Column {
  name: string;
  type: 'string' | 'date' | 'integer';
  description: string;
  /** The cell for an object (arrays print as Kubernetes prints a JSON list). */
  cell: (o: MeshResource) => unknown;
}

// biome-ignore lint/suspicious/noExplicitAny: columns read optional spec fields of several kinds
const spec = (o: MeshResource): any => o.spec ?? {};

const AGE: Column = {
  name: 'Age',
  type: 'date',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: (o) => o.metadata.creationTimestamp ?? '',
};

export const COLUMNS: Record<MeshKind, Column[]> = {
  VirtualService: [
    {
      name: 'Gateways',
      type: 'string',
      description: 'The names of gateways and sidecars that should apply these routes',
      cell: (o) => spec(o).gateways,
    },
    {
      name: 'Hosts',
      type: 'string',
      description: 'The destination hosts to which traffic is being sent',
      cell: (o) => spec(o).hosts,
    },
    AGE,
  ],
  DestinationRule: [
    {
      name: 'Host',
      type: 'string',
      description: 'The name of a service from the service registry',
      cell: (o) => spec(o).host,
    },
    AGE,
  ],
  ServiceEntry: [
    {
      name: 'Hosts',
      type: 'string',
      description: 'The hosts associated with the ServiceEntry',
      cell: (o) => spec(o).hosts,
    },
    {
      name: 'Location',
      type: 'string',
      description:
        'Whether the service is external to the mesh or part of the mesh (MESH_EXTERNAL or MESH_INTERNAL)',
      cell: (o) => spec(o).location,
    },
    {
      name: 'Resolution',
      type: 'string',
      description: 'Service resolution mode for the hosts (NONE, STATIC, or DNS)',
      cell: (o) => spec(o).resolution,
    },
    AGE,
  ],
  WorkloadEntry: [
    AGE,
    {
      name: 'Address',
      type: 'string',
      description: 'Address associated with the network endpoint without the port',
      cell: (o) => spec(o).address,
    },
  ],
  PeerAuthentication: [
    {
      name: 'Mode',
      type: 'string',
      description: 'Defines the mTLS mode used for peer authentication.',
      cell: (o) => spec(o).mtls?.mode,
    },
    AGE,
  ],
  Gateway: [AGE],
  Sidecar: [AGE],
  MeshConfig: [
    {
      name: 'Outbound',
      type: 'string',
      description: 'What sidecars do with a host the registry does not know (ALLOW_ANY or REGISTRY_ONLY).',
      cell: (o) => spec(o).outboundTrafficPolicy?.mode ?? 'ALLOW_ANY',
    },
    AGE,
  ],
};
