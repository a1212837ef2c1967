// The catalogue of checks: code, severity and Kiali's wording. Kiali's codes are kept so that people who
// know Kiali's messages (and its docs, kiali.io/docs/features/validations) recognise them.
import type { Severity } from './types';

export interface CheckDescriptor {
  code: string;
  severity: Severity;
  title: string;
}

export const CHECKS = {
  /** A DestinationRule host has no service (ServiceEntry or known service). */
  drHostNotFound: {
    code: 'KIA0202',
    severity: 'error',
    title: 'This host has no matching entry in the service registry',
  },
  /** A DestinationRule subset's labels select no workload of its host. */
  drSubsetNoWorkload: {
    code: 'KIA0203',
    severity: 'error',
    title: "This subset's labels are not found in any matching host",
  },
  /** Two DestinationRules define the same host (and subset). */
  drMultiMatch: {
    code: 'KIA0201',
    severity: 'warning',
    title: 'More than one DestinationRule for the same host subset combination',
  },
  /** A subset without labels selects every workload of the host. */
  drSubsetNoLabels: { code: 'KIA0209', severity: 'warning', title: 'This subset has no labels' },
  /** A DestinationRule disables TLS for a host whose PeerAuthentication is STRICT. */
  drTlsDisabledUnderStrict: {
    code: 'KIA0207',
    severity: 'error',
    title: 'PeerAuthentication with TLS strict mode found, it should be permissive',
  },
  /** A Sidecar egress host matches no service. */
  sidecarEgressNotFound: {
    code: 'KIA1004',
    severity: 'warning',
    title: 'This host has no matching entry in the service registry',
  },
  /** A route destination host resolves to no service. */
  vsHostNotFound: {
    code: 'KIA1101',
    severity: 'error',
    title: "DestinationWeight on route doesn't have a valid service (host not found)",
  },
  /** A single destination with a weight other than 100: Istio sends it all traffic anyway. */
  vsSingleWeight: {
    code: 'KIA1104',
    severity: 'warning',
    title: 'The weight is assumed to be 100 because there is only one route destination',
  },
  /** The same host and subset twice in one route. */
  vsRepeatedSubset: {
    code: 'KIA1105',
    severity: 'warning',
    title: 'This host subset combination is already referenced in another route destination',
  },
  /** Two VirtualServices for one host. */
  vsSingleHost: { code: 'KIA1106', severity: 'warning', title: 'More than one VirtualService for same host' },
  /** A route names a subset no DestinationRule of its host defines. */
  vsSubsetNotFound: { code: 'KIA1107', severity: 'warning', title: 'Subset not found' },
  /** Weights of several destinations do not sum to 100 (Kiali's check has no code; Meshlens' own). */
  vsWeightSum: { code: 'MSL1101', severity: 'error', title: 'Weight sum should be 100' },
} as const satisfies Record<string, CheckDescriptor>;

export type CheckName = keyof typeof CHECKS;
