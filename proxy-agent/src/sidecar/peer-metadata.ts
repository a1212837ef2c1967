// Who called: the caller's identity is its verified client certificate (mTLS) alone. Over mTLS the
// source sidecar also sends its workload labels in one header (Istio's sidecars exchange the same facts
// in x-envoy-peer-metadata), believed only when they name a workload the config knows in the
// certificate's namespace (and service account, when its WorkloadEntry names one). A plaintext caller
// is `unknown`, whatever it sends.
import { type MeshModel, UNKNOWN_WORKLOAD, workloadKey } from './mesh-model';
import type { WorkloadIdentity } from './telemetry-types';
import { parseSpiffeId } from './workload-tls';

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

/** Identities with a principal, per labels object: the same object for the same caller (metrics intern them). */
const withPrincipal = new WeakMap<WorkloadIdentity, Map<string, WorkloadIdentity>>();

function principalOf(identity: WorkloadIdentity, principal: string): WorkloadIdentity {
  let byPrincipal = withPrincipal.get(identity);
  if (byPrincipal === undefined) {
    byPrincipal = new Map();
    withPrincipal.set(identity, byPrincipal);
  }
  let id = byPrincipal.get(principal);
  if (id === undefined) {
    if (byPrincipal.size >= MAX_CACHED) byPrincipal.clear();
    id = { ...identity, principal };
    byPrincipal.set(principal, id);
  }
  return id;
}

/**
 * The caller over mTLS: its certificate's principal, with the labels of the workload its peer header
 * names when that workload is the certificate's (same namespace; same service account when declared).
 */
export function resolveMtlsPeer(
  value: string | string[] | undefined,
  model: MeshModel,
  principal: string,
): WorkloadIdentity {
  const claimed = resolvePeer(value, model);
  const id = parseSpiffeId(principal);
  if (claimed === UNKNOWN_WORKLOAD || id === undefined || id.namespace !== claimed.namespace)
    return principalOf(UNKNOWN_WORKLOAD, principal);
  const sa = model.workloadEntries.get(workloadKey(claimed.namespace, claimed.workload))?.serviceAccount;
  if (sa !== undefined && sa !== id.serviceAccount) return principalOf(UNKNOWN_WORKLOAD, principal);
  return principalOf(claimed, principal);
}

/** The caller last resolved on one mTLS connection, and from what. */
export interface PeerMemo {
  value: string;
  model: MeshModel;
  source: WorkloadIdentity;
}

/**
 * resolveMtlsPeer for a request on a connection: a connection's principal is fixed and its sidecar sends
 * the same header on every request, so the last answer is kept on it (~0.35 µs a request otherwise: the
 * SPIFFE id parsed and two lookups by new key strings) and used while the header and the config are the same.
 */
export function resolveConnectionPeer(
  conn: { peerPrincipal: string; peer?: PeerMemo },
  value: string | string[] | undefined,
  model: MeshModel,
): WorkloadIdentity {
  const last = conn.peer;
  if (last !== undefined && last.value === value && last.model === model) return last.source;
  const source = resolveMtlsPeer(value, model, conn.peerPrincipal);
  if (typeof value === 'string') conn.peer = { value, model, source };
  return source;
}

/** This sidecar's own identity with its principal (telemetry over mTLS). */
export function withOwnPrincipal(self: WorkloadIdentity, principal: string): WorkloadIdentity {
  return principal === self.principal ? self : principalOf(self, principal);
}
