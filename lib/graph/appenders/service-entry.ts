// Service entries (Kiali's `serviceEntry` appender): the mesh config refines the location of hosts the
// metrics show outside the cluster (`MESH_INTERNAL` when a ServiceEntry says so). In-cluster services
// declared by a ServiceEntry (as the demo mesh declares all of its services) stay plain services.
import { type MeshConfigView, serviceEntryLocations } from '../config-badges';
import type { TrafficMap } from '../traffic-map';

export function appendServiceEntries(map: TrafficMap, config: MeshConfigView | undefined): void {
  if (!config) return;
  const locations = serviceEntryLocations(config.serviceEntries);
  if (locations.size === 0) return;
  for (const n of map.nodes.values()) {
    const { serviceHost, isServiceEntry } = n.spec;
    const location = serviceHost ? locations.get(serviceHost) : undefined;
    if (location && isServiceEntry) n.isServiceEntry = location;
  }
}
