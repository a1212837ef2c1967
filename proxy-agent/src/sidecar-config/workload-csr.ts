// A workload's new key and the certificate signing request for its SPIFFE identity, as Istio's agent
// makes them: ECDSA P-256, the identity as the only (URI) SAN. The key never leaves the sidecar.
import { EC_P256, generateKeyPair, privateKeyPem, x509 } from '../../../lib/identity/pki';

export interface KeyAndCsr {
  /** PKCS#8 PEM. */
  key: string;
  /** PKCS#10 PEM. */
  csr: string;
}

export async function newKeyAndCsr(spiffeId: string): Promise<KeyAndCsr> {
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    keys,
    signingAlgorithm: EC_P256,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId }], true)],
  });
  return { key: await privateKeyPem(keys.privateKey), csr: csr.toString('pem') };
}
