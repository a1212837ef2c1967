// A starting point for a new resource of each kind: the least the schema needs, for the editor to fill.
// Kinds without a template here start from apiVersion, kind and metadata (from kinds.ts) and an empty spec.
import { apiVersionOf, type MeshKindName } from '../mesh-config/kinds';

const SPECS: Partial<Record<MeshKindName, Record<string, unknown>>> = {
  VirtualService: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] },
  DestinationRule: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
  ServiceEntry: {
    hosts: ['api.example.com'],
    ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
    location: 'MESH_EXTERNAL',
    resolution: 'DNS',
  },
  WorkloadEntry: { address: '127.0.0.1', labels: { app: 'reviews', version: 'v1' } },
};

export function templateOf(kind: MeshKindName, namespace: string, name = 'new-resource') {
  return {
    apiVersion: apiVersionOf(kind),
    kind,
    metadata: { name, namespace },
    spec: SPECS[kind] ?? {},
  };
}
