// A test certificate authority for the mTLS tests (the control plane's CA stands in for it in a real
// mesh): a root, and SPIFFE workload certificates it signs — valid, expired, or for any identity.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { WorkloadCertificate } from '../src/sidecar-config/workload-certificate';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const HOUR = 3_600_000;

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export interface TestCa {
  rootPem: string;
  /** A workload certificate for `spiffe://cluster.local/ns/<ns>/sa/<sa>` (or `uri` exactly). */
  issue(o: {
    /** A DNS SAN instead of the SPIFFE id (a server outside the mesh). */
    dns?: string;
    namespace?: string;
    serviceAccount: string;
    uri?: string;
    notBefore?: Date;
    notAfter?: Date;
  }): Promise<WorkloadCertificate>;
}

export async function createTestCa(name = 'Test Mesh Root'): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}, O=meshlens-test`,
    keys,
    signingAlgorithm: ALG,
    notBefore: new Date(Date.now() - HOUR),
    notAfter: new Date(Date.now() + 24 * HOUR),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const rootPem = root.toString('pem');
  return {
    rootPem,
    async issue(o) {
      const leafKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
      const uri = o.uri ?? `spiffe://cluster.local/ns/${o.namespace ?? 'default'}/sa/${o.serviceAccount}`;
      const notBefore = o.notBefore ?? new Date(Date.now() - 5 * 60_000);
      const notAfter = o.notAfter ?? new Date(Date.now() + 24 * HOUR);
      const leaf = await x509.X509CertificateGenerator.create({
        subject: '',
        issuer: root.subject,
        notBefore,
        notAfter,
        publicKey: leafKeys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: ALG,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
            true,
          ),
          new x509.ExtendedKeyUsageExtension([
            x509.ExtendedKeyUsage.serverAuth,
            x509.ExtendedKeyUsage.clientAuth,
          ]),
          new x509.SubjectAlternativeNameExtension(
            [o.dns ? { type: 'dns', value: o.dns } : { type: 'url', value: uri }],
            true,
          ),
        ],
      });
      const key = pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
      return {
        key,
        certChain: leaf.toString('pem'),
        trustBundle: rootPem,
        spiffeId: uri,
        notBefore,
        notAfter,
      };
    },
  };
}

/** A CertificateSource the test drives: `renew` swaps the certificate as the control plane's would. */
export function testCertificateSource(first: WorkloadCertificate) {
  let cert = first;
  const listeners = new Set<(c: WorkloadCertificate) => void>();
  return {
    current: () => cert,
    onChange(fn: (c: WorkloadCertificate) => void) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    close() {},
    renew(next: WorkloadCertificate) {
      cert = next;
      for (const fn of listeners) fn(next);
    },
  };
}

/**
 * Writes a certificate as Istio's file-mounted files (cert-chain.pem, key.pem, root-cert.pem), in a new
 * directory under `parent` (the caller's test directory, which the caller removes).
 */
export function writeCertificateFiles(
  cert: WorkloadCertificate,
  parent: string,
): {
  certChain: string;
  key: string;
  rootCert: string;
} {
  const dir = mkdtempSync(join(parent, 'certs-'));
  const files = {
    certChain: join(dir, 'cert-chain.pem'),
    key: join(dir, 'key.pem'),
    rootCert: join(dir, 'root-cert.pem'),
  };
  writeFileSync(files.certChain, cert.certChain, { mode: 0o600 });
  writeFileSync(files.key, cert.key, { mode: 0o600 });
  writeFileSync(files.rootCert, cert.trustBundle, { mode: 0o600 });
  return files;
}
