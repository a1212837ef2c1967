// What `meshlens-agent sidecar --control-plane URL` adds to a sidecar: its config follows the control
// plane's watch, its instance registers (heartbeats, deregisters on close), and, when asked for an
// identity, its workload certificate comes from the control plane's CA and is kept renewed.
import { readFileSync } from 'node:fs';
import { readClientToken } from '../../../lib/auth/token-file';
import { type ControlPlaneSource, connectControlPlane } from './control-plane-source';
import { openRequest, readText } from './http-request';
import { type Registration, startRegistration } from './registration';
import type { CertificateSource } from './workload-certificate';

/**
 * After deregistering, how long a stopping sidecar keeps serving: the time the DELETE takes to reach
 * every other sidecar through its watch (well under this), so no one sends to a closed listener.
 */
export const DEREGISTRATION_GRACE_MS = 500;
/** The CA file a sidecar trusts when no flag names one (the demo sets it for its children). */
export const CA_FILE_ENV = 'MESH_CONTROL_CA_FILE';

export interface ControlPlaneLinkOptions {
  url: string;
  /** A file holding the bearer token (the control plane's token file works: its first token is used). */
  tokenFile?: string;
  /** PEM roots the control plane's HTTPS certificate must chain to (default: $MESH_CONTROL_CA_FILE). */
  caFile?: string;
  /**
   * With no CA file: fetch the control plane's roots once without verifying, then trust them (trust on
   * first use). Only when the operator asks: whoever answers first could impersonate the control plane.
   */
  insecureFetchCa?: boolean;
  /** Ask the CA for this workload identity; `link.certificates` then holds it. */
  identity?: { namespace: string; serviceAccount: string; trustDomain?: string };
  /** Lifetime to ask for, in seconds (the CA's default, 24 h, when absent). */
  certificateValiditySeconds?: number;
  /** The service port's name the instance registers its inbound port under (default `http`). */
  portName?: string;
  log?: (line: string) => void;
}

/** What registration needs of a started sidecar (its handle fits). */
export interface RunningSidecar {
  ports: { inbound: number; admin: number };
  identity: { workload: string; namespace: string; app: string; version: string };
  /** Labels its WorkloadEntry carries besides app, version and workload (a gateway's `istio`). */
  labels?: Readonly<Record<string, string>>;
}

export interface ControlPlaneLink {
  source: ControlPlaneSource;
  /** The workload certificate, renewed at half life; present when an identity was asked for. */
  certificates?: CertificateSource;
  /** Registers the running sidecar's instance; its close() deregisters, then waits out the grace. */
  register(sidecar: RunningSidecar): Registration;
}

/** The PEM roots to verify the control plane with, or undefined for the system's. */
export async function controlPlaneCa(
  options: Pick<ControlPlaneLinkOptions, 'url' | 'caFile' | 'insecureFetchCa' | 'log'>,
): Promise<string | undefined> {
  const file = options.caFile ?? (process.env[CA_FILE_ENV]?.trim() || undefined);
  if (file !== undefined) {
    const pem = readFileSync(file, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----'))
      throw new Error(`CA file ${file} holds no PEM certificate`);
    return pem;
  }
  if (!options.insecureFetchCa || new URL(options.url).protocol !== 'https:') return undefined;
  const res = await openRequest(new URL('/v1/ca/roots', options.url), {
    insecureSkipVerify: true,
    signal: AbortSignal.timeout(10_000),
  });
  const pem = await readText(res);
  if (res.statusCode !== 200 || !pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new Error(`fetching the CA roots from ${options.url}: ${res.statusCode}`);
  options.log?.(
    `trusting the control plane's roots fetched unverified from ${options.url} (--control-plane-insecure-fetch-ca)`,
  );
  return pem;
}

/** The trust domain the CA issues in, from its public GET /v1/ca. */
async function caTrustDomain(url: string, ca: string | undefined): Promise<string> {
  const res = await openRequest(new URL('/v1/ca', url), {
    signal: AbortSignal.timeout(10_000),
    ...(ca !== undefined ? { ca } : {}),
  });
  const text = await readText(res);
  const td = res.statusCode === 200 ? (JSON.parse(text) as { trustDomain?: unknown }).trustDomain : undefined;
  if (typeof td !== 'string')
    throw new Error(`the control plane at ${url} names no trust domain (${res.statusCode})`);
  return td;
}

/** Connects to the control plane (resolving with its first snapshot) for a sidecar about to start. */
export async function linkControlPlane(options: ControlPlaneLinkOptions): Promise<ControlPlaneLink> {
  if (!URL.canParse(options.url)) throw new Error(`--control-plane must be a URL, not ${options.url}`);
  const token = options.tokenFile ? readClientToken(options.tokenFile) : undefined;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const ca = await controlPlaneCa({ ...options, log });
  // The control plane validates every write with the full schema; the sidecar checks references only.
  const source = await connectControlPlane({
    url: options.url,
    token,
    ...(ca !== undefined ? { ca } : {}),
    validation: 'references',
    onError: log,
    onInfo: log,
  });
  let certificates: CertificateSource | undefined;
  if (options.identity) {
    try {
      // Loaded only for an identity: the X.509 library is a few MB a sidecar without one is spared.
      const [{ startCertificateSource }, { spiffeId }] = await Promise.all([
        import('./certificate-source'),
        import('../../../lib/identity/spiffe'),
      ]);
      const trustDomain = options.identity.trustDomain ?? (await caTrustDomain(options.url, ca));
      certificates = await startCertificateSource({
        url: options.url,
        token,
        ...(ca !== undefined ? { ca } : {}),
        spiffeId: spiffeId({ trustDomain, ...options.identity }),
        ...(options.certificateValiditySeconds !== undefined
          ? { validitySeconds: options.certificateValiditySeconds }
          : {}),
        onError: log,
        onInfo: log,
      });
    } catch (err) {
      await source.close();
      throw err;
    }
  }
  return {
    source,
    ...(certificates ? { certificates } : {}),
    register: ({ ports, identity, labels }) => {
      const registration = startRegistration({
        controlPlaneUrl: options.url,
        token,
        ...(ca !== undefined ? { ca } : {}),
        namespace: identity.namespace,
        app: identity.app,
        version: identity.version,
        workload: identity.workload,
        ...(labels ? { labels } : {}),
        ...(options.identity ? { serviceAccount: options.identity.serviceAccount } : {}),
        inboundPort: ports.inbound,
        adminPort: ports.admin,
        ...(options.portName ? { portName: options.portName } : {}),
        onError: log,
        onInfo: log,
      });
      return {
        ...registration,
        async close() {
          await registration.close();
          await new Promise((resolve) => setTimeout(resolve, DEREGISTRATION_GRACE_MS));
        },
      };
    },
  };
}
