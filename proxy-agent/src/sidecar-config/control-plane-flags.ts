// The sidecar's control-plane flags that concern TLS and identity, parsed here so the sidecar's CLI
// only spreads them into its parseArgs options and hands the result to linkControlPlane.
import type { ControlPlaneLinkOptions } from './control-plane-link';

export const CONTROL_PLANE_FLAGS = {
  'control-plane-ca-file': { type: 'string' },
  'control-plane-insecure-fetch-ca': { type: 'boolean' },
  'service-account': { type: 'string' },
  'trust-domain': { type: 'string' },
  'workload-cert-ttl': { type: 'string' },
} as const;

export const CONTROL_PLANE_FLAGS_USAGE = `  --control-plane-ca-file FILE
                        PEM roots the control plane's HTTPS certificate must chain to
                        (default $MESH_CONTROL_CA_FILE; the system's roots when neither is set)
  --control-plane-insecure-fetch-ca
                        without a CA file, fetch the control plane's roots once unverified and trust
                        them from then on (trust on first use; never in production)
  --service-account SA  the workload's service account: its identity is
                        spiffe://<trust domain>/ns/<namespace>/sa/<SA> (default: the workload name)
  --trust-domain TD     the SPIFFE trust domain (default: the control plane CA's)
  --workload-cert-ttl DUR
                        lifetime to ask the CA for (default: the CA's, 24h); renewed at half life`;

export interface ControlPlaneFlagValues {
  'control-plane-ca-file'?: string;
  'control-plane-insecure-fetch-ca'?: boolean;
  'service-account'?: string;
  'trust-domain'?: string;
  'workload-cert-ttl'?: string;
}

const DURATION = /^(\d+)(s|m|h)$/;
const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600 };

/**
 * The TLS and identity part of ControlPlaneLinkOptions from the flags. `identity` is asked for when
 * `wantIdentity` (the sidecar speaks mTLS); the service account defaults to the workload's name.
 */
export function linkOptionsFromFlags(
  values: ControlPlaneFlagValues,
  workload: { namespace: string; name: string },
  wantIdentity = true,
): Pick<ControlPlaneLinkOptions, 'caFile' | 'insecureFetchCa' | 'identity' | 'certificateValiditySeconds'> {
  const ttl = values['workload-cert-ttl'];
  let certificateValiditySeconds: number | undefined;
  if (ttl !== undefined) {
    const m = DURATION.exec(ttl);
    certificateValiditySeconds = m ? Number(m[1]) * (UNIT_S[m[2] as string] as number) : Number.NaN;
    if (!Number.isSafeInteger(certificateValiditySeconds) || certificateValiditySeconds <= 0)
      throw new Error(
        '--workload-cert-ttl must be a whole number of seconds, minutes or hours, such as 10s or 24h',
      );
  }
  const trustDomain = values['trust-domain'];
  return {
    ...(values['control-plane-ca-file'] !== undefined ? { caFile: values['control-plane-ca-file'] } : {}),
    ...(values['control-plane-insecure-fetch-ca'] ? { insecureFetchCa: true } : {}),
    ...(wantIdentity
      ? {
          identity: {
            namespace: workload.namespace,
            serviceAccount: values['service-account'] ?? workload.name,
            ...(trustDomain !== undefined ? { trustDomain } : {}),
          },
        }
      : {}),
    ...(certificateValiditySeconds !== undefined ? { certificateValiditySeconds } : {}),
  };
}
