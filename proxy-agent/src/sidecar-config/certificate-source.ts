// A CertificateSource backed by the control plane's CA, as Istio's agent keeps its workload secret:
// a fresh key and CSR, signed via POST /v1/certificates; renewed at half the remaining life (±1%
// jitter) by swapping in the new certificate (the old one stays valid until it expires); the trust
// bundle re-read from GET /v1/ca/roots so a rotated root is trusted before it signs; retries with
// capped, jittered backoff while the control plane is away.
import { X509Certificate } from 'node:crypto';
import { splitPemCertificates } from '../../../lib/identity/pki';
import { MeshConfigClient } from '../../../lib/mesh-config/client';
import { type BackoffOptions, backoffDelay } from './control-plane-source';
import { nodeTransport, openRequest, readText } from './http-request';
import type { CertificateSource, WorkloadCertificate } from './workload-certificate';
import { newKeyAndCsr } from './workload-csr';

/** Renew at this share of the remaining life (Istio's SECRET_GRACE_PERIOD_RATIO) … */
export const RENEWAL_RATIO = 0.5;
/** … give or take this much, so that sidecars started together do not renew together. */
export const RENEWAL_JITTER = 0.01;
/** How often the trust bundle is re-read (a rotated root must reach every sidecar before it signs). */
export const DEFAULT_ROOTS_REFRESH_MS = 30_000;
/** Never renew sooner than this after the last issuance (a tiny TTL must not become a hot loop). */
const MIN_RENEWAL_DELAY_MS = 500;
const DEFAULT_BACKOFF: Required<BackoffOptions> = { baseMs: 500, capMs: 30_000 };
const REQUEST_TIMEOUT_MS = 10_000;

export interface CertificateSourceOptions {
  /** Base URL of the control plane. */
  url: string;
  token?: string;
  /** PEM roots its HTTPS certificate chains to. */
  ca?: string;
  /** The identity to ask for: `spiffe://<td>/ns/<ns>/sa/<sa>`. */
  spiffeId: string;
  /** Lifetime to ask for, in seconds (the CA's default when absent). */
  validitySeconds?: number;
  rootsRefreshMs?: number;
  backoff?: BackoffOptions;
  /** How long start waits for the first certificate (default 15 s). */
  initialTimeoutMs?: number;
  random?: () => number;
  onError?: (message: string) => void;
  onInfo?: (message: string) => void;
}

/** Milliseconds from `receivedAt` until renewal: half the life left at receipt, ±1 %. */
export function renewalDelayMs(receivedAt: number, notAfter: number, random = Math.random): number {
  const ratio = RENEWAL_RATIO + (random() * 2 - 1) * RENEWAL_JITTER;
  return Math.max(MIN_RENEWAL_DELAY_MS, Math.round((notAfter - receivedAt) * ratio));
}

/** Splits Istio's `cert_chain` (leaf…root) into the chain a TLS peer presents and its root. */
export function splitChain(chain: readonly string[]): { certChain: string; root: string | undefined } {
  const last = chain.at(-1);
  const lastCert = last === undefined ? undefined : new X509Certificate(last);
  const isRoot = chain.length > 1 && lastCert !== undefined && lastCert.checkIssued(lastCert);
  return { certChain: (isRoot ? chain.slice(0, -1) : chain).join(''), root: isRoot ? last : undefined };
}

class CaCertificateSource implements CertificateSource {
  private cert: WorkloadCertificate | undefined;
  private readonly listeners = new Set<(c: WorkloadCertificate) => void>();
  private readonly client: MeshConfigClient;
  private renewTimer: NodeJS.Timeout | undefined;
  private rootsTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private closed = false;
  private lastError = '';
  private first: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(private readonly options: CertificateSourceOptions) {
    this.client = new MeshConfigClient({
      baseUrl: options.url,
      ...(options.token !== undefined ? { token: options.token } : {}),
      timeoutMs: REQUEST_TIMEOUT_MS,
      transport: nodeTransport(options.ca),
    });
  }

  start(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      this.first = { resolve, reject };
    });
    const timeoutMs = this.options.initialTimeoutMs ?? 15_000;
    const timer = setTimeout(
      () =>
        this.first?.reject(
          new Error(
            `no certificate for ${this.options.spiffeId} from ${this.options.url} after ${timeoutMs} ms${this.lastError ? `: ${this.lastError}` : ''}`,
          ),
        ),
      timeoutMs,
    );
    void this.renew();
    return ready.finally(() => clearTimeout(timer));
  }

  current(): WorkloadCertificate | undefined {
    return this.cert;
  }

  onChange(listener: (cert: WorkloadCertificate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.renewTimer);
    clearTimeout(this.rootsTimer);
    this.first?.reject(new Error('the certificate source was closed'));
  }

  /** One issuance: key, CSR, signature, bundle; on failure, again after a backoff. */
  private async renew(): Promise<void> {
    if (this.closed) return;
    try {
      const { key, csr } = await newKeyAndCsr(this.options.spiffeId);
      const r = await this.client.send<{ cert_chain?: unknown }>('POST', '/v1/certificates', {
        csr,
        ...(this.options.validitySeconds !== undefined
          ? { validity_duration: this.options.validitySeconds }
          : {}),
      });
      if (!r.ok) {
        const failure = new Error(`${r.status} ${r.reason}: ${r.message}`);
        // Refused outright (not ours to have, malformed): waiting will not change that at start.
        if (this.first && r.status >= 400 && r.status < 500 && r.status !== 429) this.first.reject(failure);
        throw failure;
      }
      const chain = r.value.cert_chain;
      if (!Array.isArray(chain) || chain.length === 0 || !chain.every((c) => typeof c === 'string'))
        throw new Error('the CA answered without a cert_chain');
      const receivedAt = Date.now();
      const { certChain, root } = splitChain(chain as string[]);
      const leaf = new X509Certificate(chain[0] as string);
      const bundle = (await this.trustBundle()) || root || '';
      const next: WorkloadCertificate = {
        key,
        certChain,
        trustBundle: bundle,
        spiffeId: this.options.spiffeId,
        notBefore: new Date(leaf.validFrom),
        notAfter: new Date(leaf.validTo),
      };
      if (this.closed) return;
      this.publish(next);
      this.attempt = 0;
      this.lastError = '';
      const delay = renewalDelayMs(receivedAt, next.notAfter.getTime(), this.options.random);
      this.options.onInfo?.(
        `certificate for ${this.options.spiffeId} valid until ${next.notAfter.toISOString()}, renewing in ${Math.round(delay / 1000)}s`,
      );
      this.schedule(() => this.renew(), delay);
      this.scheduleRoots();
    } catch (err) {
      if (this.closed) return;
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.lastError)
        this.options.onError?.(`certificate for ${this.options.spiffeId}: ${message} (retrying)`);
      this.lastError = message;
      this.schedule(
        () => this.renew(),
        backoffDelay(this.attempt++, { ...DEFAULT_BACKOFF, ...this.options.backoff }),
      );
    }
  }

  private schedule(run: () => Promise<void>, delayMs: number): void {
    clearTimeout(this.renewTimer);
    this.renewTimer = setTimeout(() => void run(), delayMs);
    this.renewTimer.unref();
  }

  /** The CA's whole trust bundle (every root during a rotation), PEM. */
  private async trustBundle(): Promise<string> {
    const res = await openRequest(new URL('/v1/ca/roots', this.options.url), {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      ...(this.options.ca !== undefined ? { ca: this.options.ca } : {}),
    });
    const text = await readText(res);
    if (res.statusCode !== 200) throw new Error(`${res.statusCode} from /v1/ca/roots`);
    const roots = splitPemCertificates(text);
    if (roots.length === 0) throw new Error('/v1/ca/roots holds no certificate');
    return roots.join('');
  }

  private scheduleRoots(): void {
    clearTimeout(this.rootsTimer);
    this.rootsTimer = setTimeout(async () => {
      try {
        const bundle = await this.trustBundle();
        if (this.cert && bundle !== this.cert.trustBundle && !this.closed) {
          this.options.onInfo?.('trust bundle changed (root rotation)');
          this.publish({ ...this.cert, trustBundle: bundle });
        }
      } catch (err) {
        this.options.onError?.(`trust bundle refresh: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!this.closed) this.scheduleRoots();
    }, this.options.rootsRefreshMs ?? DEFAULT_ROOTS_REFRESH_MS);
    this.rootsTimer.unref();
  }

  private publish(cert: WorkloadCertificate): void {
    this.cert = cert;
    if (this.first) {
      this.first.resolve();
      this.first = undefined;
    }
    for (const listener of this.listeners) {
      try {
        listener(cert);
      } catch (err) {
        this.options.onError?.(
          `a certificate listener failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }
}

/** Gets the first certificate (resolving once it is issued), then keeps it renewed until close(). */
export async function startCertificateSource(options: CertificateSourceOptions): Promise<CertificateSource> {
  const source = new CaCertificateSource(options);
  try {
    await source.start();
  } catch (err) {
    source.close();
    throw err;
  }
  return source;
}
