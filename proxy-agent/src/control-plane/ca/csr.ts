// A certificate signing request read and checked: a PKCS#10 in PEM, signed by the key it carries
// (proof of possession), asking for exactly one Istio-shaped SPIFFE identity and nothing else.

import { x509 } from '../../../../lib/identity/pki';
import { parseSpiffeId, type SpiffeIdentity } from '../../../../lib/identity/spiffe';

/** The CSR's key types the CA signs (what Istio's agents send: ECDSA P-256, or RSA). */
const ACCEPTED_KEYS = new Set(['ECDSA', 'RSASSA-PKCS1-v1_5', 'RSA-PSS']);
const SAN_OID = '2.5.29.17';

export interface CheckedCsr {
  identity: SpiffeIdentity;
  spiffeId: string;
  publicKey: x509.PublicKey;
}

export type CsrResult = { ok: true; csr: CheckedCsr } | { ok: false; message: string };

export async function checkCsr(pem: string): Promise<CsrResult> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem);
  } catch (err) {
    return { ok: false, message: `csr is not a PEM PKCS#10 request: ${(err as Error).message}` };
  }
  const algorithm = csr.publicKey.algorithm as { name?: string };
  if (!ACCEPTED_KEYS.has(algorithm.name ?? ''))
    return {
      ok: false,
      message: `csr key type ${algorithm.name ?? 'unknown'} is not accepted (ECDSA or RSA)`,
    };
  let signed = false;
  try {
    signed = await csr.verify();
  } catch {
    signed = false;
  }
  if (!signed) return { ok: false, message: 'csr signature does not verify against its own key' };
  const ext = csr.getExtension(SAN_OID);
  if (!ext)
    return {
      ok: false,
      message: 'csr asks for no identity: a URI SAN spiffe://<td>/ns/<ns>/sa/<sa> is required',
    };
  let names: readonly x509.GeneralName[];
  try {
    names = new x509.SubjectAlternativeNameExtension(ext.rawData).names.items;
  } catch (err) {
    return { ok: false, message: `csr subjectAltName is malformed: ${(err as Error).message}` };
  }
  if (names.length !== 1 || names[0]?.type !== 'url')
    return {
      ok: false,
      message: 'csr must ask for exactly one name, a URI SAN spiffe://<td>/ns/<ns>/sa/<sa>',
    };
  const spiffeId = names[0].value;
  const identity = parseSpiffeId(spiffeId);
  if (!identity)
    return {
      ok: false,
      message: `csr URI SAN ${spiffeId.slice(0, 200)} is not spiffe://<td>/ns/<ns>/sa/<sa>`,
    };
  return { ok: true, csr: { identity, spiffeId, publicKey: csr.publicKey } };
}
