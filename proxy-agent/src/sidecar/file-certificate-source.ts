// A CertificateSource over files, as Istio's file-mounted certificates (`--cert-chain FILE --key FILE
// --root-cert FILE`): read at start; the workload identity is the leaf's SPIFFE URI SAN.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CertificateSource, WorkloadCertificate } from '../sidecar-config/workload-certificate';
import { spiffeIds, splitPem } from './workload-tls';

export interface CertificateFiles {
  certChain: string;
  key: string;
  rootCert: string;
}

function read(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`--${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** Reads and checks the files; throws a one-line message naming the flag on anything unusable. */
export function loadCertificateFiles(files: CertificateFiles): WorkloadCertificate {
  const certChain = read('cert-chain', files.certChain);
  const key = read('key', files.key);
  const trustBundle = read('root-cert', files.rootCert);
  const leafPem = splitPem(certChain)[0];
  if (leafPem === undefined) throw new Error(`--cert-chain ${files.certChain}: no PEM certificate in it`);
  if (splitPem(trustBundle).length === 0)
    throw new Error(`--root-cert ${files.rootCert}: no PEM certificate in it`);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(leafPem);
  } catch (err) {
    throw new Error(`--cert-chain ${files.certChain}: ${String(err)}`);
  }
  const spiffeId = spiffeIds(leaf.subjectAltName)[0];
  if (spiffeId === undefined)
    throw new Error(`--cert-chain ${files.certChain}: the leaf has no spiffe:// URI SAN (workload identity)`);
  return {
    key,
    certChain,
    trustBundle,
    spiffeId,
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
  };
}

export function fileCertificateSource(files: CertificateFiles): CertificateSource {
  const cert = loadCertificateFiles(files);
  return {
    current: () => cert,
    onChange: () => () => {},
    close: () => {},
  };
}
