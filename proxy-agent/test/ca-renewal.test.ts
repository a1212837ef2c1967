// A sidecar's workload certificate from the control plane's CA over HTTPS, with the real process:
// renewed at half life (a 10 s certificate) by swapping in the new one while the old is still valid,
// kept and retried while the control plane is down, the trust bundle following a root rotation,
// and the link a sidecar makes (config, registration, certificate) verifying the control plane.
import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { splitPemCertificates } from '../../lib/identity/pki';
import { startCertificateSource } from '../src/sidecar-config/certificate-source';
import { linkControlPlane } from '../src/sidecar-config/control-plane-link';
import { connectControlPlane } from '../src/sidecar-config/control-plane-source';
import type { CertificateSource, WorkloadCertificate } from '../src/sidecar-config/workload-certificate';
import { type CpProcess, call, removeDir, startCp, tempDir } from './control-plane-helpers';
import { waitFor } from './support/processes';

const ID = 'spiffe://cluster.local/ns/bookinfo/sa/reviews';
const TOKEN = 'renewal-token';
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cp(args: string[] = [], reuse?: CpProcess): Promise<CpProcess> {
  const c = await startCp({
    tls: true,
    token: TOKEN,
    args: [
      '--workload-cert-ttl',
      '10s',
      '--root-rotation-grace',
      '0s',
      '--ca-admin-users',
      'ci-admin',
      ...args,
    ],
    ...(reuse ? { dataDir: reuse.dataDir, port: reuse.port } : {}),
  });
  if (!reuse) cleanups.push(() => removeDir(c.dataDir));
  cleanups.push(() => c.stop());
  return c;
}

function serial(c: WorkloadCertificate | undefined): string {
  return c ? new X509Certificate(splitPemCertificates(c.certChain)[0] as string).serialNumber : '';
}

describe('workload certificates from the control plane CA', () => {
  it('renews at half life, swapping in the new certificate while the old is still valid', async () => {
    const plane = await cp();
    const changes: { cert: WorkloadCertificate; at: number }[] = [];
    const source: CertificateSource = await startCertificateSource({
      url: plane.url,
      token: TOKEN,
      ca: plane.ca,
      spiffeId: ID,
    });
    cleanups.push(() => source.close());
    source.onChange((cert) => changes.push({ cert, at: Date.now() }));
    const first = source.current() as WorkloadCertificate;
    expect(first.spiffeId).toBe(ID);
    expect(new X509Certificate(splitPemCertificates(first.certChain)[0] as string).subjectAltName).toBe(
      `URI:${ID}`,
    );
    expect(first.notAfter.getTime() - Date.now()).toBeLessThanOrEqual(10_000);
    expect(splitPemCertificates(first.trustBundle)).toEqual(splitPemCertificates(plane.ca as string));

    await waitFor(() => changes.length > 0 || undefined, { what: 'a renewal', timeoutMs: 15_000 });
    const renewed = changes[0] as { cert: WorkloadCertificate; at: number };
    expect(serial(renewed.cert)).not.toBe(serial(first));
    // Swapped in before the old one expired: no moment without a valid certificate.
    expect(renewed.at).toBeLessThan(first.notAfter.getTime());
    expect(renewed.cert.notAfter.getTime()).toBeGreaterThan(first.notAfter.getTime());
    expect(serial(source.current())).toBe(serial(renewed.cert));
  });

  it('keeps its certificate while the control plane is down and renews once it is back', async () => {
    const plane = await cp();
    const source = await startCertificateSource({
      url: plane.url,
      token: TOKEN,
      ca: plane.ca,
      spiffeId: ID,
      backoff: { baseMs: 100, capMs: 500 },
    });
    cleanups.push(() => source.close());
    const before = serial(source.current());
    await plane.stop();
    // Past the renewal point with nobody to answer: the certificate in hand stays.
    await waitFor(
      () =>
        Date.now() > (source.current() as WorkloadCertificate).notBefore.getTime() + 5 * 60_000 + 6_000 ||
        undefined,
      {
        what: 'the renewal point to pass',
        timeoutMs: 15_000,
      },
    );
    expect(serial(source.current())).toBe(before);
    await cp([], plane);
    await waitFor(() => serial(source.current()) !== before || undefined, {
      what: 'a renewal after the restart',
      timeoutMs: 15_000,
    });
  });

  it('trusts a rotated root as soon as the control plane does, before it signs', async () => {
    const plane = await cp(['--root-rotation-grace', '1h']);
    const source = await startCertificateSource({
      url: plane.url,
      token: TOKEN,
      ca: plane.ca,
      spiffeId: ID,
      rootsRefreshMs: 200,
    });
    cleanups.push(() => source.close());
    expect(splitPemCertificates((source.current() as WorkloadCertificate).trustBundle)).toHaveLength(1);
    expect((await call(plane, 'POST', '/v1/ca/rotate', {})).status).toBe(201);
    await waitFor(
      () =>
        splitPemCertificates((source.current() as WorkloadCertificate).trustBundle).length === 2 || undefined,
      { what: 'both roots in the bundle', timeoutMs: 10_000 },
    );
  });

  it('links a sidecar over HTTPS: config, registration and its certificate, refusing a control plane it cannot verify', async () => {
    const plane = await cp();
    const dir = await tempDir('meshlens-link-');
    cleanups.push(() => removeDir(dir));
    const caFile = join(dir, 'ca.pem');
    const tokenFile = join(dir, 'token');
    await writeFile(caFile, plane.ca as string);
    await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const link = await linkControlPlane({
      url: plane.url,
      tokenFile,
      caFile,
      identity: { namespace: 'bookinfo', serviceAccount: 'reviews' },
      log: () => {},
    });
    cleanups.push(() => link.source.close());
    cleanups.push(() => link.certificates?.close());
    expect(link.certificates?.current()?.spiffeId).toBe(ID);
    const reg = link.register({
      ports: { inbound: 1, admin: 2 },
      identity: { workload: 'reviews-v1', namespace: 'bookinfo', app: 'reviews', version: 'v1' },
    });
    await reg.registered;
    await reg.close();

    const other = await cp();
    // Another control plane, another CA: the sidecar's client refuses its certificate.
    await expect(
      connectControlPlane({ url: other.url, token: TOKEN, ca: plane.ca, initialTimeoutMs: 2000 }).then((s) =>
        s.close(),
      ),
    ).rejects.toThrow(/certificate/i);
    await expect(
      startCertificateSource({
        url: other.url,
        token: TOKEN,
        ca: plane.ca,
        spiffeId: ID,
        initialTimeoutMs: 2000,
      }).then((s) => s.close()),
    ).rejects.toThrow(/certificate/i);
  });
});
