// Who called: the source sidecar sends its workload identity to the destination sidecar in one header
// (Istio's sidecars exchange the same facts in x-envoy-peer-metadata), so both reporters label alike.
// Any client can send the header, so it is believed only as far as the config goes: a caller that does
// not name a workload the config knows is `unknown` (until mTLS gives peers a verified identity).
import { type MeshModel, UNKNOWN_WORKLOAD, workloadKey } from './mesh-model';
import type { WorkloadIdentity } from './telemetry-types';

export const PEER_HEADER = 'x-meshlens-peer';

const FIELDS = ['workload', 'namespace', 'app', 'version', 'canonicalService', 'canonicalRevision'] as const;

export function encodePeer(id: WorkloadIdentity): string {
  return FIELDS.map((f) => encodeURIComponent(id[f])).join(';');
}

/** Decoded header values kept; the cache is dropped whole when full. */
const MAX_CACHED = 1024;
const cache = new Map<string, WorkloadIdentity>();

/** The caller's identity, or unknown when the header is absent or malformed (a caller outside the mesh). */
export function decodePeer(value: string | string[] | undefined): WorkloadIdentity {
  if (typeof value !== 'string') return UNKNOWN_WORKLOAD;
  const hit = cache.get(value);
  if (hit) return hit;
  const parts = value.split(';');
  if (parts.length !== FIELDS.length) return UNKNOWN_WORKLOAD;
  const id: Record<string, string> = { principal: 'unknown' };
  try {
    FIELDS.forEach((f, i) => {
      id[f] = decodeURIComponent(parts[i] as string) || 'unknown';
    });
  } catch {
    return UNKNOWN_WORKLOAD;
  }
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(value, id as unknown as WorkloadIdentity);
  return id as unknown as WorkloadIdentity;
}

/**
 * The caller as the config knows it: the header must name a workload (namespace and name) of a
 * WorkloadEntry, whose own labels are then used; anything else is unknown. The labels a header can
 * produce are thus bounded by the config, and an unknown name cannot appear on the graph.
 */
export function resolvePeer(value: string | string[] | undefined, model: MeshModel): WorkloadIdentity {
  const claimed = decodePeer(value);
  if (claimed === UNKNOWN_WORKLOAD) return UNKNOWN_WORKLOAD;
  return model.workloads.get(workloadKey(claimed.namespace, claimed.workload)) ?? UNKNOWN_WORKLOAD;
}
