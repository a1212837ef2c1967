// The control plane as the mesh CA, against the real process over HTTPS: CSR round trip with the
// SPIFFE SAN, the identity rule (403 naming the identity), the trust bundle, root rotation with old
// and new roots trusted side by side, and the REST endpoint's own certificate.
import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitPemCertificates } from '../../lib/identity/pki';
import { newKeyAndCsr } from '../src/sidecar-config/workload-csr';
import { type CpProcess, call, fetchTrusting, removeDir, startCp, tempDir } from './control-plane-helpers';

const REVIEWS = 'spiffe://cluster.local/ns/bookinfo/sa/reviews';
const RATINGS = 'spiffe://cluster.local/ns/bookinfo/sa/ratings';
let cp: CpProcess;
let tokenDir: string;

beforeAll(async () => {
  tokenDir = await tempDir('meshlens-ca-tokens-');
  const tokenFile = join(tokenDir, 'tokens');
  await writeFile(
    tokenFile,
    ['admin-token', 'reviews-token,system:serviceaccount:bookinfo:reviews', 'alice-token,alice', ''].join(
      '\n',
    ),
    { mode: 0o600 },
  );
  cp = await startCp({ tls: true, args: ['--token-file', tokenFile, '--root-rotation-grace', '0s'] });
});
afterAll(async () => {
  await cp?.stop();
  if (cp) await removeDir(cp.dataDir);
  if (tokenDir) await removeDir(tokenDir);
});

const as = (token: string) => ({ url: cp.url, ca: cp.ca, token });

async function sign(token: string, spiffeId: string, validity?: number) {
  const { key, csr } = await newKeyAndCsr(spiffeId);
  const r = await call(as(token), 'POST', '/v1/certificates', {
    csr,
    ...(validity !== undefined ? { validity_duration: validity } : {}),
  });
  return { ...r, key };
}

/** The control plane's roots, read over TLS trusting `trust` (the root it was started with, by default). */
async function roots(trust = cp.ca): Promise<string[]> {
  const res = await fetchTrusting(trust)(`${cp.url}/v1/ca/roots`);
  return splitPemCertificates(await res.text());
}

/** Whether `leafPem` chains to one of `bundle` (via the chain's intermediates). */
function chainsTo(chain: string[], bundle: string[]): boolean {
  const certs = chain.map((p) => new X509Certificate(p));
  for (let i = 0; i + 1 < certs.length; i++)
    if (!(certs[i] as X509Certificate).checkIssued(certs[i + 1] as X509Certificate)) return false;
  const top = certs.at(-1) as X509Certificate;
  return bundle.some((r) => {
    const root = new X509Certificate(r);
    return (
      top.fingerprint256 === root.fingerprint256 || (top.checkIssued(root) && top.verify(root.publicKey))
    );
  });
}

describe('the control plane as the mesh CA', () => {
  it('serves HTTPS that a client holding the CA verifies and a client without it refuses', async () => {
    expect(cp.url.startsWith('https://')).toBe(true);
    expect((await fetchTrusting(cp.ca)(`${cp.url}/healthz`)).status).toBe(200);
    await expect(fetch(`${cp.url}/healthz`)).rejects.toThrow();
    // The server certificate names the loopback host and comes from the CA's root.
    const peer = await new Promise<X509Certificate>((resolve, reject) => {
      const s: TLSSocket = connect({ host: '127.0.0.1', port: cp.port, ca: cp.ca }, () => {
        const cert = s.getPeerX509Certificate();
        s.destroy();
        if (cert) resolve(cert);
        else reject(new Error('no peer certificate'));
      });
      s.once('error', reject);
    });
    expect(peer.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(peer.subjectAltName).toContain('DNS:localhost');
  });

  it('demands the token over HTTPS, except for the public trust bundle', async () => {
    expect((await call({ url: cp.url, ca: cp.ca }, 'POST', '/v1/certificates', { csr: 'x' })).status).toBe(
      401,
    );
    expect((await call({ url: cp.url, ca: cp.ca }, 'GET', '/apis')).status).toBe(401);
    expect((await call(as('admin-token'), 'GET', '/apis')).status).toBe(200);
    const bundle = await roots();
    expect(bundle).toHaveLength(1);
    expect(new X509Certificate(bundle[0] as string).ca).toBe(true);
  });

  it('signs a CSR into a chain leaf…root whose leaf carries the SPIFFE id, backdated, 24 h by default', async () => {
    const before = Date.now();
    const r = await sign('reviews-token', REVIEWS);
    expect(r.status).toBe(200);
    const chain = r.body.cert_chain as string[];
    expect(chain.length).toBeGreaterThanOrEqual(2);
    const leaf = new X509Certificate(chain[0] as string);
    expect(leaf.subjectAltName).toBe(`URI:${REVIEWS}`);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(r.key))).toBe(true);
    expect(chain.at(-1)).toBe((await roots())[0]);
    expect(chainsTo(chain, await roots())).toBe(true);
    const notBefore = Date.parse(leaf.validFrom);
    const notAfter = Date.parse(leaf.validTo);
    expect(notBefore).toBeLessThanOrEqual(before - 60_000); // backdated for clock skew
    expect(notAfter - before).toBeGreaterThan(23 * 3_600_000);
    expect(notAfter - before).toBeLessThanOrEqual(24 * 3_600_000 + 1000);
    // A shorter life on request (Istio's validity_duration, in seconds).
    const short = await sign('reviews-token', REVIEWS, 600);
    const shortLeaf = new X509Certificate(short.body.cert_chain[0]);
    expect(Date.parse(shortLeaf.validTo) - Date.now()).toBeLessThanOrEqual(600_000);
  });

  it('refuses an identity the caller may not have with 403 naming it; admins may have any', async () => {
    const foreign = await sign('reviews-token', RATINGS);
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
      details: { name: RATINGS },
    });
    expect(foreign.body.message).toContain(RATINGS);
    expect((await sign('alice-token', REVIEWS)).status).toBe(403);
    expect((await sign('admin-token', 'spiffe://other.domain/ns/a/sa/b')).status).toBe(403);
    expect((await sign('admin-token', RATINGS)).status).toBe(200);
  });

  it('answers bad CSRs and lifetimes with 400, not an error or a certificate', async () => {
    const bad = [
      { csr: 'not a csr' },
      { csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n' },
      { csr: (await newKeyAndCsr('https://example.com/')).csr },
      { csr: (await newKeyAndCsr(REVIEWS)).csr, validity_duration: 91 * 24 * 3600 },
      { csr: (await newKeyAndCsr(REVIEWS)).csr, validity_duration: 'soon' },
      {},
    ];
    for (const body of bad) {
      const r = await call(as('admin-token'), 'POST', '/v1/certificates', body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.body.reason).toBe('BadRequest');
    }
    // A CSR whose signature does not match the key it carries: no proof of possession.
    const der = Buffer.from((await newKeyAndCsr(REVIEWS)).csr.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    der[der.length - 1] = (der[der.length - 1] as number) ^ 0x01;
    const forged = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const r = await call(as('admin-token'), 'POST', '/v1/certificates', { csr: forged });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('signature');
  });

  it('rotates the root: both trusted side by side, old-root peers still verified by new-root peers, then the old retired', async () => {
    const old = await sign('admin-token', REVIEWS);
    const oldRoot = (await roots())[0] as string;
    expect((await call(as('reviews-token'), 'POST', '/v1/ca/rotate', {})).status).toBe(403);
    const rotated = await call(as('admin-token'), 'POST', '/v1/ca/rotate', { grace: '0s' });
    expect(rotated.status).toBe(201);
    const bundle = await roots();
    expect(bundle).toHaveLength(2);
    expect(bundle).toContain(oldRoot);
    const fresh = await sign('admin-token', RATINGS);
    expect(fresh.body.cert_chain.at(-1)).not.toBe(oldRoot);

    // A real mutual TLS handshake: the old-root workload serves, the new-root workload calls, each
    // verifying the other against the bundle that holds both roots.
    const server = createServer({
      key: old.key,
      cert: old.body.cert_chain.slice(0, -1).join(''),
      ca: bundle,
      requestCert: true,
      rejectUnauthorized: true,
    });
    server.on('secureConnection', (s) => s.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const { peerSan, authorized } = await new Promise<{ peerSan: string; authorized: boolean }>(
        (resolve, reject) => {
          const s = connect(
            {
              host: '127.0.0.1',
              port,
              key: fresh.key,
              cert: fresh.body.cert_chain.slice(0, -1).join(''),
              ca: bundle,
              checkServerIdentity: () => undefined, // workloads are named by SPIFFE id, not host
            },
            () => {
              resolve({
                peerSan: s.getPeerX509Certificate()?.subjectAltName ?? '',
                authorized: s.authorized,
              });
              s.destroy();
            },
          );
          s.once('error', reject);
        },
      );
      expect(authorized).toBe(true);
      expect(peerSan).toBe(`URI:${REVIEWS}`);
    } finally {
      server.close();
    }

    const info = await call({ url: cp.url, ca: cp.ca }, 'GET', '/v1/ca');
    const [first, second] = info.body.roots;
    expect(second.signing).toBe(true);
    expect((await call(as('admin-token'), 'DELETE', `/v1/ca/roots/${second.fingerprint}`)).status).toBe(409);
    expect((await call(as('admin-token'), 'DELETE', `/v1/ca/roots/${first.fingerprint}`)).status).toBe(200);
    // The control plane now serves under the new root: read as a client that follows the roots it was given.
    const after = await roots(bundle.join(''));
    expect(after).toHaveLength(1);
    expect(after).not.toContain(oldRoot);
    expect(chainsTo(old.body.cert_chain, after)).toBe(false);
    expect(chainsTo(fresh.body.cert_chain, after)).toBe(true);
  });
});
