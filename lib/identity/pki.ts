// Keys, PEM and the X.509 library set up once: @peculiar/x509 over Node's WebCrypto, with the reflect
// polyfill it needs loaded first. Shared by the mesh CA (control plane) and the sidecars' CSRs.
import 'reflect-metadata';
import {
  createPrivateKey,
  createPublicKey,
  X509Certificate as NodeCertificate,
  webcrypto,
} from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };

/** ECDSA P-256 with SHA-256: Istio's ECC option, and far cheaper to generate than RSA. */
export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export type SigningAlgorithm = RsaHashedImportParams | (EcKeyImportParams & { hash: string });

export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** PKCS#8 PEM of a private CryptoKey. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

const CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
};

/** A PEM private key (PKCS#8, SEC1 or PKCS#1) as a signing CryptoKey and the algorithm it signs with. */
export async function importSigningKey(
  pem: string,
): Promise<{ key: CryptoKey; algorithm: SigningAlgorithm }> {
  const k = createPrivateKey(pem);
  let algorithm: SigningAlgorithm;
  if (k.asymmetricKeyType === 'ec') {
    const curve = CURVES[k.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve)
      throw new Error(`unsupported EC curve ${k.asymmetricKeyDetails?.namedCurve} (P-256 or P-384)`);
    algorithm = { name: 'ECDSA', ...curve };
  } else if (k.asymmetricKeyType === 'rsa') {
    if ((k.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
      throw new Error('RSA keys must have 2048 bits or more');
    algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  } else {
    throw new Error(`unsupported key type ${k.asymmetricKeyType} (EC P-256/P-384 or RSA)`);
  }
  const der = k.export({ type: 'pkcs8', format: 'der' });
  const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
  return { key: key as CryptoKey, algorithm };
}

/** Whether a private key (PEM) belongs to a certificate (PEM). */
export function keyMatchesCertificate(keyPem: string, certPem: string): boolean {
  const fromKey = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  const fromCert = new NodeCertificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return fromKey.equals(fromCert);
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle, each as its own PEM block (text around them ignored). */
export function splitPemCertificates(text: string): string[] {
  return (text.match(PEM_CERT) ?? []).map((b) => `${b}\n`);
}
