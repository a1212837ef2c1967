// The sidecar's own TLS identity: the current workload certificate from its CertificateSource as one
// secure context (used for both the inbound server and the upstream client side), rebuilt on each
// renewal so that new connections take the new certificate while open ones finish on the old.

import { X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { CertificateSource, WorkloadCertificate } from '../sidecar-config/workload-certificate';

/** ALPN on every TLS connection the sidecar makes or takes (h2 once the sidecar speaks it). */
export const MESH_ALPN = ['http/1.1'];
/** ALPN of HTTP/2 over mesh TLS. */
export const H2_ALPN = ['h2'];
/** ALPN of TCP over mesh mTLS: Istio's metadata exchange (the caller's peer metadata leads the stream). */
export const PEER_EXCHANGE_ALPN = ['istio-peer-exchange'];
/** What the inbound side accepts, in its order of preference. */
export const INBOUND_ALPN = ['h2', 'istio-peer-exchange', 'http/1.1'];

/** Sessions are resumed only within one application (OpenSSL's session id context, at most 32 bytes). */
const SESSION_ID_CONTEXT = 'meshlens-sidecar';

const SPIFFE = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

/** The SPIFFE URI SANs of a peer certificate's `subjectaltname` string (`URI:spiffe://…, DNS:…`). */
export function spiffeIds(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  const out: string[] = [];
  for (const part of subjectAltName.split(', ')) {
    if (part.startsWith('URI:spiffe://')) out.push(part.slice(4));
  }
  return out;
}

export function parseSpiffeId(
  id: string,
): { trustDomain: string; namespace: string; serviceAccount: string } | undefined {
  const m = SPIFFE.exec(id);
  if (!m) return undefined;
  return { trustDomain: m[1] as string, namespace: m[2] as string, serviceAccount: m[3] as string };
}

/** What /certs shows of one certificate, as Envoy's admin does (plus time to renewal for the leaf). */
export interface CertificateView {
  spiffeId: string | undefined;
  serialNumber: string;
  subject: string;
  issuer: string;
  validFrom: string;
  expirationTime: string;
  daysUntilExpiration: number;
}

const DAY_MS = 86_400_000;

export function describeCertificate(pem: string, now: number): CertificateView {
  const x = new X509Certificate(pem);
  const notAfter = Date.parse(x.validTo);
  return {
    spiffeId: spiffeIds(x.subjectAltName)[0],
    serialNumber: x.serialNumber,
    subject: x.subject,
    issuer: x.issuer,
    validFrom: new Date(x.validFrom).toISOString(),
    expirationTime: new Date(notAfter).toISOString(),
    daysUntilExpiration: Math.floor((notAfter - now) / DAY_MS),
  };
}

/** Each PEM certificate of a bundle. */
export function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

export class WorkloadTls {
  private cert: WorkloadCertificate | undefined;
  private secure: SecureContext | undefined;
  /** Bumped on every change: TLS sessions cached under an older generation are not resumed. */
  generation = 0;
  private readonly listeners: Array<() => void> = [];
  private readonly unsubscribe: () => void;

  constructor(
    source: CertificateSource,
    private readonly log: (line: string) => void,
  ) {
    this.take(source.current());
    this.unsubscribe = source.onChange((c) => this.take(c));
  }

  /** The secure context of the current certificate; undefined until one is issued (or it was unusable). */
  context(): SecureContext | undefined {
    return this.secure;
  }

  certificate(): WorkloadCertificate | undefined {
    return this.cert;
  }

  /** Own SPIFFE id, or 'unknown' without a certificate. */
  get spiffeId(): string {
    return this.cert?.spiffeId ?? 'unknown';
  }

  get trustDomain(): string | undefined {
    return this.cert ? parseSpiffeId(this.cert.spiffeId)?.trustDomain : undefined;
  }

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  close(): void {
    this.unsubscribe();
  }

  private take(cert: WorkloadCertificate | undefined): void {
    if (cert === undefined) return;
    try {
      this.secure = createSecureContext({
        key: cert.key,
        cert: cert.certChain,
        ca: cert.trustBundle,
        // OpenSSL resumes sessions of a server that verifies client certificates only with an id context.
        sessionIdContext: SESSION_ID_CONTEXT,
      });
    } catch (err) {
      // A certificate Node cannot load: keep the previous one (connections keep working until it expires).
      this.log(`meshlens sidecar: workload certificate not usable, keeping the previous one: ${String(err)}`);
      return;
    }
    this.cert = cert;
    this.generation++;
    for (const fn of this.listeners) fn();
  }
}
