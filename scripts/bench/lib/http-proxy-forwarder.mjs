// The Node baseline for the sidecar benchmark, run as its own process: a plain `http-proxy` forwarder to
// one target with a keep-alive agent, no telemetry. Prints `listening <port>`.
//   node http-proxy-forwarder.mjs <listen port> <target url> [--cert F --key F --ca F] [--tls-listen]
// With certificates it is the baseline of the sidecar pair over mTLS: an `https://` target is called
// through a keep-alive https.Agent presenting the client certificate, verifying the peer against the CA
// and its SPIFFE URI SAN (as a sidecar does; the agent caches TLS sessions and resumes them on new
// connections), and `--tls-listen` serves HTTPS that requires a client certificate signed by the CA.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import httpProxy from 'http-proxy';

const [listenPort = '0', target = 'http://127.0.0.1:8080', ...rest] = process.argv.slice(2);
const flag = (name) => {
  const i = rest.indexOf(name);
  return i === -1 ? undefined : rest[i + 1];
};
const read = (name) => (flag(name) === undefined ? undefined : readFileSync(flag(name)));
const tls = { cert: read('--cert'), key: read('--key'), ca: read('--ca') };
const tlsListen = rest.includes('--tls-listen');
if ((tlsListen || target.startsWith('https:')) && !(tls.cert && tls.key && tls.ca)) {
  console.error('http-proxy-forwarder: TLS needs --cert, --key and --ca');
  process.exit(2);
}

/** The peer's certificate must carry a SPIFFE URI SAN (the CA's signature is checked by TLS itself). */
const checkServerIdentity = (_host, cert) =>
  /(^|, )URI:spiffe:\/\//.test(cert.subjectaltname ?? '')
    ? undefined
    : new Error(`peer has no SPIFFE identity (${cert.subjectaltname})`);

const agent = target.startsWith('https:')
  ? new https.Agent({ keepAlive: true, maxSockets: 256, ...tls, checkServerIdentity })
  : new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxy = httpProxy.createProxyServer({ target, agent, secure: true });
proxy.on('error', (_err, _req, res) => {
  if (res instanceof http.ServerResponse && !res.headersSent) res.writeHead(502).end();
  else res.destroy();
});
const handler = (req, res) => proxy.web(req, res);
const server = tlsListen
  ? https.createServer({ ...tls, requestCert: true, rejectUnauthorized: true }, handler)
  : http.createServer(handler);
server.keepAliveTimeout = 60_000;
server.listen(Number(listenPort), '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
