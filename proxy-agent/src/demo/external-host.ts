// The demo's hosts outside the mesh, on loopback: the external database (HTTPS, with a certificate from
// a CA of its own whose root the DestinationRule names, so the egress gateway can verify it), and a plain
// HTTP host no ServiceEntry declares (PassthroughCluster under ALLOW_ANY, BlackHoleCluster otherwise).

import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { EC_P256, generateKeyPair, privateKeyPem, x509 } from '../../../lib/identity/pki';
import { EXTERNAL_HOST, UNREGISTERED_HOST } from './topology';

/** The external host's CA root, in the demo's data dir: what the DestinationRule's `caCertificates` names. */
export const EXTERNAL_CA_FILE = 'external-ca.pem';
/** Lifetime of the demo's external certificates (made anew at every start). */
const VALIDITY_MS = 30 * 24 * 3_600_000;

export interface ExternalHosts {
  /** The external database's HTTPS port on 127.0.0.1. */
  httpsPort: number;
  /** Its CA root (PEM file). */
  caFile: string;
  /** The unregistered host's port (on 127.0.0.1 and, where there is IPv6, ::1: `localhost`). */
  outsidePort: number;
  close(): Promise<void>;
}

/** A self-signed root and a server certificate for `host` it signs: PEMs. */
export async function externalCertificates(
  host: string,
): Promise<{ caPem: string; certPem: string; keyPem: string }> {
  const [caKeys, leafKeys] = await Promise.all([generateKeyPair(), generateKeyPair()]);
  const notBefore = new Date(Date.now() - 5 * 60_000);
  const notAfter = new Date(Date.now() + VALIDITY_MS);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${host} demo CA, O=meshlens-demo`,
    keys: caKeys,
    signingAlgorithm: EC_P256,
    notBefore,
    notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const leaf = await x509.X509CertificateGenerator.create({
    subject: `CN=${host}`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: EC_P256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: host }], false),
    ],
  });
  return {
    caPem: ca.toString('pem'),
    certPem: leaf.toString('pem'),
    keyPem: await privateKeyPem(leafKeys.privateKey),
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    server.close(() => resolve());
  });

function answer(source: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ source, path: req.url }));
  };
}

/** Starts both hosts; the CA root is written to `dataDir`. */
export async function startExternalHosts(dataDir: string): Promise<ExternalHosts> {
  const { caPem, certPem, keyPem } = await externalCertificates(EXTERNAL_HOST);
  const caFile = join(dataDir, EXTERNAL_CA_FILE);
  writeFileSync(caFile, caPem, { mode: 0o644 });
  const servers: Server[] = [];
  try {
    const https = createHttpsServer({ key: keyPem, cert: certPem }, answer(EXTERNAL_HOST));
    servers.push(https);
    const httpsPort = await listen(https, 0, '127.0.0.1');
    const outside = createHttpServer(answer(UNREGISTERED_HOST));
    servers.push(outside);
    const outsidePort = await listen(outside, 0, '127.0.0.1');
    // `localhost` may resolve to ::1 first: the same port there too, where the machine has IPv6.
    const outside6 = createHttpServer(answer(UNREGISTERED_HOST));
    await listen(outside6, outsidePort, '::1').then(
      () => servers.push(outside6),
      () => undefined,
    );
    return {
      httpsPort,
      caFile,
      outsidePort,
      close: async () => {
        await Promise.all(servers.map(close));
      },
    };
  } catch (err) {
    await Promise.all(servers.map(close));
    throw err;
  }
}
