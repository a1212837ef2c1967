// The control plane's own HTTPS certificate, issued by the mesh CA for the names clients dial (the
// listen host, 127.0.0.1, ::1, localhost) and re-issued at half life, or when the root that signed it
// is retired, into the running server without a restart.

import { X509Certificate as NodeCertificate } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { Server as TlsServer } from 'node:tls';
import { generateKeyPair, privateKeyPem } from '../../../../lib/identity/pki';
import { type CertificateAuthority, fingerprintOf } from './authority';

/** The control plane's serving certificate lives this long (re-issued at half of it). */
export const SERVING_CERT_TTL_MS = 30 * 24 * 3_600_000;
/** How often the serving certificate is checked for renewal. */
const CHECK_INTERVAL_MS = 60_000;

export interface ServingCredentials {
  key: string;
  /** Leaf then intermediates (the root is what clients hold). */
  cert: string;
}

/** The names a client may dial: the listen host (all of this machine's for a wildcard), and loopback. */
export function servingNames(host: string): { dns: string[]; ips: string[] } {
  const h = host.replace(/^\[|\]$/g, '');
  const dns = new Set(['localhost']);
  const ips = new Set(['127.0.0.1', '::1']);
  if (h === '0.0.0.0' || h === '::') dns.add(hostname().toLowerCase());
  else if (isIP(h)) ips.add(h);
  else dns.add(h.toLowerCase());
  return { dns: [...dns], ips: [...ips] };
}

export class ServingCertificate {
  private timer: NodeJS.Timeout | undefined;
  private renewAt = 0;
  private issuer = '';

  private constructor(
    private readonly ca: CertificateAuthority,
    private readonly names: { dns: string[]; ips: string[] },
    private credentials: ServingCredentials,
    private readonly log: (line: string) => void,
  ) {}

  static async issue(
    ca: CertificateAuthority,
    host: string,
    log: (line: string) => void,
  ): Promise<ServingCertificate> {
    const names = servingNames(host);
    const s = new ServingCertificate(ca, names, { key: '', cert: '' }, log);
    s.credentials = await s.make();
    return s;
  }

  current(): ServingCredentials {
    return this.credentials;
  }

  private async make(): Promise<ServingCredentials> {
    const keys = await generateKeyPair();
    const chain = await this.ca.issue(keys.publicKey, this.names, SERVING_CERT_TTL_MS);
    const leaf = new NodeCertificate(chain[0] as string);
    const from = Date.parse(leaf.validFrom);
    this.renewAt = from + (Date.parse(leaf.validTo) - from) / 2;
    this.issuer = fingerprintOf(chain.at(-1) as string);
    return { key: await privateKeyPem(keys.privateKey), cert: chain.slice(0, -1).join('') };
  }

  /** Keeps `server` on a fresh certificate until close(). */
  follow(server: TlsServer): void {
    this.timer = setInterval(() => void this.refresh(server), CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  /** Re-issues when due, or when the signing root is no longer trusted. */
  async refresh(server: TlsServer, force = false): Promise<void> {
    const trusted = this.ca.rootInfos().some((r) => r.fingerprint === this.issuer);
    if (!force && trusted && Date.now() < this.renewAt) return;
    try {
      this.credentials = await this.make();
      server.setSecureContext(this.credentials);
      this.log(`serving certificate re-issued (${trusted ? 'half life reached' : 'its root was retired'})`);
    } catch (err) {
      this.log(`serving certificate renewal failed, keeping the current one: ${(err as Error).message}`);
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
