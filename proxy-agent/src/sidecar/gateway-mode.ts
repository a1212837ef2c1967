// `--mode gateway`: the sidecar as a standalone gateway (istio-egressgateway is an Envoy with no app).
// What differs is small and lives where it applies: the model compiles only VirtualServices bound to
// the Gateways selecting this proxy (mesh-model.ts), the inbound port routes like the outbound one
// (sidecar.ts), and no Sidecar scope or passthrough applies (egress-policy.ts). This module holds the
// mode's name and the labels a Gateway selector matches.
import { LABEL_APP, LABEL_VERSION, LABEL_WORKLOAD } from '../../../lib/mesh-config/labels';
import type { WorkloadIdentity } from './telemetry-types';

export const SIDECAR_MODES = ['sidecar', 'gateway'] as const;
export type SidecarMode = (typeof SIDECAR_MODES)[number];

/** Istio's install labels its gateway pods `istio: <name without istio->` (istio: egressgateway). */
const ISTIO_PREFIX = 'istio-';

/**
 * The labels of a gateway proxy when none are given: app, version and workload, and Istio's `istio`
 * label (`istio-egressgateway` → `istio: egressgateway`), which Gateways select by in Istio's samples.
 */
export function gatewayProxyLabels(self: WorkloadIdentity): Record<string, string> {
  const app = self.app;
  return {
    [LABEL_APP]: app,
    [LABEL_VERSION]: self.version,
    [LABEL_WORKLOAD]: self.workload,
    istio: app.startsWith(ISTIO_PREFIX) ? app.slice(ISTIO_PREFIX.length) : app,
  };
}

/** Parses `KEY=VALUE` label flags. */
export function parseLabelFlags(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new Error(`--gateway-label must be KEY=VALUE, not ${v}`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}
