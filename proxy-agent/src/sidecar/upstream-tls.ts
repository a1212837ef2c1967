// TLS origination toward an upstream endpoint, as Istio configures Envoy: the plan (plaintext, Istio
// mTLS with the workload certificate, or SIMPLE/MUTUAL with given files) from the DestinationRule's
// `tls` and auto-mTLS; the connection itself (SNI, ALPN, session resumption, the peer's SPIFFE SAN
// checked); and Envoy's words for a TLS failure.
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import {
  checkServerIdentity,
  connect,
  createSecureContext,
  type PeerCertificate,
  type SecureContext,
  type TLSSocket,
} from 'node:tls';
import type { ClientTLSSettings } from '../../../lib/mesh-config/schema';
import type { EffectiveMtls } from './peer-authentication';
import { MESH_ALPN, parseSpiffeId, spiffeIds, type WorkloadTls } from './workload-tls';

/** How one endpoint is reached. */
export type TransportPlan =
  | { kind: 'plaintext' }
  | {
      kind: 'istio-mutual';
      sni: string;
      /** SPIFFE ids the peer may present; empty: any id in the trust domain and the endpoint's namespace. */
      expectedIds: readonly string[];
      namespace: string;
    }
  | {
      kind: 'simple' | 'mutual';
      sni: string;
      subjectAltNames: readonly string[];
      insecureSkipVerify: boolean;
      caCertificates?: string;
      clientCertificate?: string;
      privateKey?: string;
    };

export interface EndpointTlsFacts {
  host: string;
  namespace: string;
  /** The endpoint runs a sidecar that takes mTLS (Istio's `security.istio.io/tlsMode: istio` label). */
  sidecar: boolean;
  /** What its PeerAuthentication lets in. */
  peerMode: EffectiveMtls;
  serviceAccount: string | undefined;
}

export interface ClusterTlsFacts {
  tls: ClientTLSSettings | undefined;
  /** Istio's SNI for mesh mTLS: `outbound_.<port>_.<subset>_.<fqdn>`. */
  istioSni: string;
  /** The service host (SNI and the name checked for SIMPLE/MUTUAL when `sni` is not given). */
  host: string;
}

/**
 * Istio's choice: the DestinationRule's mode when it sets one; without one, auto-mTLS — Istio mTLS to an
 * endpoint that has a sidecar and does not DISABLE it, when this sidecar has an identity to present.
 */
export function transportPlan(
  cluster: ClusterTlsFacts,
  ep: EndpointTlsFacts,
  trustDomain: string | undefined,
): TransportPlan {
  const tls = cluster.tls;
  const mode = tls === undefined ? 'AUTO' : (tls.mode ?? 'DISABLE');
  if (mode === 'DISABLE') return { kind: 'plaintext' };
  if (mode === 'AUTO' && (!ep.sidecar || ep.peerMode === 'DISABLE' || trustDomain === undefined))
    return { kind: 'plaintext' };
  if (mode === 'AUTO' || mode === 'ISTIO_MUTUAL') {
    const sans = tls?.subjectAltNames ?? [];
    const expectedIds =
      sans.length > 0
        ? sans
        : ep.serviceAccount !== undefined && trustDomain !== undefined
          ? [`spiffe://${trustDomain}/ns/${ep.namespace}/sa/${ep.serviceAccount}`]
          : [];
    return { kind: 'istio-mutual', sni: tls?.sni ?? cluster.istioSni, expectedIds, namespace: ep.namespace };
  }
  const sni = tls?.sni ?? (isIp(ep.host) ? cluster.host : ep.host);
  return {
    kind: mode === 'MUTUAL' ? 'mutual' : 'simple',
    sni,
    subjectAltNames: tls?.subjectAltNames ?? [],
    insecureSkipVerify: tls?.insecureSkipVerify === true,
    ...(tls?.caCertificates ? { caCertificates: tls.caCertificates } : {}),
    ...(mode === 'MUTUAL' && tls?.clientCertificate ? { clientCertificate: tls.clientCertificate } : {}),
    ...(mode === 'MUTUAL' && tls?.privateKey ? { privateKey: tls.privateKey } : {}),
  };
}

/** A key that changes when the plan does (pools are rebuilt then). */
export function planKey(plan: TransportPlan): string {
  return JSON.stringify(plan);
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function verifyError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
}

/** Istio's SAN check for mesh mTLS: one of the expected ids, else an id of the trust domain and namespace. */
export function checkMeshPeer(
  cert: PeerCertificate,
  plan: Extract<TransportPlan, { kind: 'istio-mutual' }>,
  trustDomain: string | undefined,
): Error | undefined {
  const ids = spiffeIds(cert.subjectaltname);
  if (plan.expectedIds.length > 0) {
    if (ids.some((id) => plan.expectedIds.includes(id))) return undefined;
    return verifyError(
      `peer SAN ${ids.join(',') || '(none)'} is not one of the expected ${plan.expectedIds.join(',')}`,
    );
  }
  for (const id of ids) {
    const p = parseSpiffeId(id);
    if (p && p.trustDomain === trustDomain && p.namespace === plan.namespace) return undefined;
  }
  return verifyError(
    `peer SAN ${ids.join(',') || '(none)'} is not a SPIFFE id of trust domain ${trustDomain} in namespace ${plan.namespace}`,
  );
}

function checkGivenSans(cert: PeerCertificate, sans: readonly string[]): Error | undefined {
  const have = (cert.subjectaltname ?? '').split(', ').map((s) => s.replace(/^(DNS|URI|IP Address):/, ''));
  if (sans.some((s) => have.includes(s))) return undefined;
  return verifyError(`peer SAN ${have.join(',') || '(none)'} is not one of ${sans.join(',')}`);
}

/**
 * The TLS side of one endpoint's connections: opens them with the plan, resumes sessions (new
 * connections of a keep-alive pool skip the full handshake), and remembers the peer's SPIFFE id.
 */
export class UpstreamTls {
  /** The last verified peer's SPIFFE id ('unknown' before the first handshake). */
  peerPrincipal = 'unknown';
  /** The latest session ticket: every new connection resumes from it (tickets are reusable in OpenSSL). */
  private session: Buffer | undefined;
  private sessionGeneration = -1;
  private readonly fileContext: SecureContext | Error | undefined;

  constructor(
    readonly plan: Exclude<TransportPlan, { kind: 'plaintext' }>,
    private readonly host: string,
    private readonly port: number,
    private readonly workload: WorkloadTls | undefined,
    private readonly onPeer: (principal: string) => void,
  ) {
    this.fileContext = plan.kind === 'istio-mutual' ? undefined : loadFileContext(plan);
  }

  /**
   * A new TLS connection; it is usable at 'secureConnect'. Failures come as the socket's 'error'. `alpn`:
   * what it offers (HTTP/1.1 by default; `h2` for HTTP/2, `istio-peer-exchange` for TCP with peer metadata).
   */
  connect(alpn: readonly string[] = MESH_ALPN): TLSSocket | Socket {
    const plan = this.plan;
    let context: SecureContext | undefined;
    if (plan.kind === 'istio-mutual') {
      context = this.workload?.context();
      if (context === undefined) return failedSocket('no workload certificate to present (ISTIO_MUTUAL)');
      if (this.workload && this.sessionGeneration !== this.workload.generation) {
        // Sessions of an older certificate (or trust bundle) are not resumed.
        this.session = undefined;
        this.sessionGeneration = this.workload.generation;
      }
    } else if (this.fileContext instanceof Error) return failedSocket(this.fileContext.message);
    else context = this.fileContext;
    const trustDomain = this.workload?.trustDomain;
    const socket = connect({
      host: this.host,
      port: this.port,
      servername: plan.sni,
      ALPNProtocols: alpn as string[],
      ...(context ? { secureContext: context } : {}),
      ...(this.session ? { session: this.session } : {}),
      rejectUnauthorized: plan.kind === 'istio-mutual' || !plan.insecureSkipVerify,
      checkServerIdentity: (host, cert) => {
        if (plan.kind === 'istio-mutual') return checkMeshPeer(cert, plan, trustDomain);
        if (plan.subjectAltNames.length > 0) return checkGivenSans(cert, plan.subjectAltNames);
        return checkServerIdentity(host, cert);
      },
    });
    socket.setNoDelay(true);
    socket.once('secureConnect', () => {
      // A resumed session shows no peer certificate on the client: the endpoint's last one stands.
      const id = spiffeIds(socket.getPeerCertificate()?.subjectaltname)[0];
      if (id !== undefined && id !== this.peerPrincipal) {
        this.peerPrincipal = id;
        this.onPeer(id);
      }
    });
    socket.on('session', (session: Buffer) => {
      this.session = session;
    });
    return socket;
  }
}

function loadFileContext(plan: Extract<TransportPlan, { kind: 'simple' | 'mutual' }>): SecureContext | Error {
  try {
    const read = (path: string | undefined) => (path === undefined ? undefined : readFileSync(path, 'utf8'));
    const ca = read(plan.caCertificates);
    const cert = read(plan.clientCertificate);
    const key = read(plan.privateKey);
    return createSecureContext({
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
    });
  } catch (err) {
    return new Error(`cannot load the DestinationRule's certificate files: ${(err as Error).message}`);
  }
}

/** A socket that fails at once with a TLS error (no usable credentials): the try ends in UF. */
function failedSocket(reason: string): Socket {
  const s = new Socket();
  queueMicrotask(() => s.destroy(Object.assign(new Error(reason), { code: 'ERR_TLS_NO_CREDENTIALS' })));
  return s;
}

/** TLS error codes of Node and OpenSSL (verification, alerts from the peer, handshake failures). */
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|HOSTNAME_MISMATCH|ERR_OSSL_)/;
/** Codes of a certificate the sidecar refused (Envoy says CERTIFICATE_VERIFY_FAILED for all of them). */
const VERIFY_CODE =
  /^(CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME_INVALID)/;

/** A TCP connection that never opened (refused, unreachable, timed out): no TLS was tried. */
const CONNECT_CODE = /^(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EADDRNOTAVAIL|ENOTFOUND|EAI_AGAIN)$/;

/**
 * Envoy's `%UPSTREAM_TRANSPORT_FAILURE_REASON%` for a TLS failure (`TLS error: …`), or undefined when
 * the error is not one. `handshake`: the error came before the TLS connection was up.
 */
export function tlsFailureReason(err: unknown, handshake: boolean): string | undefined {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (CONNECT_CODE.test(code)) return undefined;
  if (VERIFY_CODE.test(code)) return `TLS error: CERTIFICATE_VERIFY_FAILED: ${code}: ${message}`;
  if (TLS_CODE.test(code)) return `TLS error: ${code}: ${message}`;
  if (handshake) return `TLS error: handshake failed: ${code || message}`;
  return undefined;
}
