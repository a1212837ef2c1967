// The demo's mTLS policy, as a production Istio mesh sets it: STRICT mesh-wide (a PeerAuthentication in
// the root namespace), with one workload left PERMISSIVE for a legacy client outside the mesh that calls
// it in plaintext — the one edge the graph draws without a lock.
import type { PeerAuthentication } from '../../../lib/mesh-config/schema';
import { DEMO_NAMESPACE, GATEWAY_NAMESPACE } from './topology';

/** The workload the legacy client calls; it accepts plaintext as well as mTLS. */
export const LEGACY_TARGET = 'details';

export function securityPolicies(): PeerAuthentication[] {
  return [
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: GATEWAY_NAMESPACE },
      spec: { mtls: { mode: 'STRICT' } },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: `${LEGACY_TARGET}-legacy-clients`, namespace: DEMO_NAMESPACE },
      spec: { selector: { matchLabels: { app: LEGACY_TARGET } }, mtls: { mode: 'PERMISSIVE' } },
    },
  ];
}
