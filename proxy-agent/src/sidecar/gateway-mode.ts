// `--mode gateway`: the sidecar as a standalone gateway (istio-egressgateway is an Envoy with no app).
// What differs is small and lives where it applies: the model compiles only VirtualServices bound to
// the Gateways selecting this proxy (mesh-model.ts), the inbound port routes like the outbound one
// (sidecar.ts), and no Sidecar scope or passthrough applies (egress-policy.ts). This module holds the
// mode's name and the labels a Gateway selector matches: the ones the gateway's workload registered.
import { LABEL_APP, LABEL_VERSION, LABEL_WORKLOAD } from '../../../lib/mesh-config/labels';
import type { MeshResource, WorkloadEntry } from '../../../lib/mesh-config/schema';
import type { WorkloadIdentity } from './telemetry-types';

export const SIDECAR_MODES = ['sidecar', 'gateway'] as const;
export type SidecarMode = (typeof SIDECAR_MODES)[number];

/** Istio's install labels its gateway pods `istio: <name without istio->` (istio: egressgateway). */
const ISTIO_PREFIX = 'istio-';
/** Istio's label a Gateway's selector usually matches (`selector: {istio: egressgateway}`). */
export const LABEL_ISTIO = 'istio';

/**
 * The labels a gateway proxy registers when none are given: app, version and workload, and Istio's
 * `istio` label (`istio-egressgateway` → `istio: egressgateway`), which Gateways select by in Istio's
 * samples.
 */
export function gatewayProxyLabels(self: WorkloadIdentity): Record<string, string> {
  const app = self.app;
  return {
    [LABEL_APP]: app,
    [LABEL_VERSION]: self.version,
    [LABEL_WORKLOAD]: self.workload,
    [LABEL_ISTIO]: app.startsWith(ISTIO_PREFIX) ? app.slice(ISTIO_PREFIX.length) : app,
  };
}

/**
 * The labels an instance registers in its WorkloadEntry: a gateway's defaults (above) under the ones
 * given with `--label`; a sidecar's are the given ones (its app, version and workload are added by the
 * registration itself).
 */
export function instanceLabels(
  mode: SidecarMode,
  self: WorkloadIdentity,
  given: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return mode === 'gateway' ? { ...gatewayProxyLabels(self), ...given } : { ...given };
}

/** A label key as Kubernetes allows it: an optional DNS prefix and `/`, then a name of ≤ 63 characters. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A label value: empty, or ≤ 63 characters of letters, digits, `-`, `_`, `.`, alphanumeric at both ends. */
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Parses `KEY=VALUE` label flags (Kubernetes' label syntax), naming the flag in the error. */
export function parseLabelFlags(values: readonly string[], flag = '--label'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = eq > 0 ? v.slice(0, eq) : '';
    const value = eq > 0 ? v.slice(eq + 1) : '';
    if (!LABEL_KEY.test(key) || !LABEL_VALUE.test(value))
      throw new Error(`${flag} must be KEY=VALUE with a Kubernetes label key and value, not ${v}`);
    out[key] = value;
  }
  return out;
}

/**
 * The labels this proxy's instance has in the registry: the WorkloadEntry of its workload (in its
 * namespace) that serves its inbound port. Undefined before it registered (or with a static config);
 * the caller lays them over the labels it registers.
 */
export function registeredLabels(
  resources: readonly MeshResource[],
  self: Pick<WorkloadIdentity, 'namespace' | 'workload'>,
  inboundPort: number | undefined,
): Readonly<Record<string, string>> | undefined {
  if (inboundPort === undefined) return undefined;
  for (const r of resources) {
    if (r.kind !== 'WorkloadEntry') continue;
    const we: WorkloadEntry = r;
    const labels = we.spec.labels ?? we.metadata.labels ?? {};
    if ((we.metadata.namespace ?? 'default') !== self.namespace) continue;
    if (labels[LABEL_WORKLOAD] !== self.workload) continue;
    if (Object.values(we.spec.ports ?? {}).includes(inboundPort)) return labels;
  }
  return undefined;
}
