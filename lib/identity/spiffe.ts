// Workload identity as Istio writes it: `spiffe://<trust domain>/ns/<namespace>/sa/<service account>`,
// carried in a certificate's URI SAN. Built and parsed here only, by the CA and by the sidecars.

export const DEFAULT_TRUST_DOMAIN = 'cluster.local';
const SCHEME = 'spiffe://';

/** Kubernetes names (DNS subdomains) for namespaces and service accounts; trust domains alike. */
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export interface SpiffeIdentity {
  trustDomain: string;
  namespace: string;
  serviceAccount: string;
}

export function isValidName(name: string): boolean {
  return NAME.test(name);
}

/** The SPIFFE id of a service account; throws on a name no certificate can carry. */
export function spiffeId({ trustDomain, namespace, serviceAccount }: SpiffeIdentity): string {
  for (const [what, v] of [
    ['trust domain', trustDomain],
    ['namespace', namespace],
    ['service account', serviceAccount],
  ] as const)
    if (!isValidName(v)) throw new Error(`invalid ${what} "${v}": lowercase letters, digits, '-' and '.'`);
  return `${SCHEME}${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** The identity an Istio-shaped SPIFFE id names, or undefined for anything else. */
export function parseSpiffeId(uri: string): SpiffeIdentity | undefined {
  if (!uri.startsWith(SCHEME)) return undefined;
  const parts = uri.slice(SCHEME.length).split('/');
  if (parts.length !== 5 || parts[1] !== 'ns' || parts[3] !== 'sa') return undefined;
  const [trustDomain, , namespace, , serviceAccount] = parts as [string, string, string, string, string];
  if (![trustDomain, namespace, serviceAccount].every(isValidName)) return undefined;
  return { trustDomain, namespace, serviceAccount };
}
