// A throwaway mesh CA for benchmarks: a self-signed root and ECDSA P-256 leaf certificates (SPIFFE URI SANs
// for sidecars, DNS names for nginx), written as the file-mounted certificates a sidecar reads.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

const pem = (label, der) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;

/** A throwaway mesh CA and leaf certificates (SPIFFE URI SANs, or a DNS name for nginx). */
export async function createCa() {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=meshlens bench root',
    keys,
    signingAlgorithm: ALG,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const rootPem = root.toString('pem');
  return {
    rootPem,
    async issue(san) {
      const leafKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
      const leaf = await x509.X509CertificateGenerator.create({
        subject: 'CN=meshlens bench workload',
        issuer: root.subject,
        notBefore: new Date(Date.now() - 300_000),
        notAfter: new Date(Date.now() + 86_400_000),
        publicKey: leafKeys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: ALG,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.ExtendedKeyUsageExtension([
            x509.ExtendedKeyUsage.serverAuth,
            x509.ExtendedKeyUsage.clientAuth,
          ]),
          new x509.SubjectAlternativeNameExtension([san], true),
        ],
      });
      return {
        cert: leaf.toString('pem'),
        key: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey)),
      };
    },
  };
}

/** Writes a leaf's certificate, key and the root as `<name>-cert.pem`, `<name>-key.pem`, `root-cert.pem`. */
export function writeFiles(dir, name, { cert, key }, rootPem) {
  mkdirSync(dir, { recursive: true });
  const files = {
    certChain: join(dir, `${name}-cert.pem`),
    key: join(dir, `${name}-key.pem`),
    rootCert: join(dir, 'root-cert.pem'),
  };
  writeFileSync(files.certChain, cert, { mode: 0o600 });
  writeFileSync(files.key, key, { mode: 0o600 });
  writeFileSync(files.rootCert, rootPem, { mode: 0o600 });
  return files;
}
