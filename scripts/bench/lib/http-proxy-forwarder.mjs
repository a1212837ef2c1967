// The Node baseline for the sidecar benchmark, run as its own process: a plain `http-proxy` forwarder to
// one target with a keep-alive agent, no telemetry. Prints `listening <port>`.
//   node http-proxy-forwarder.mjs <listen port> <target url>
import http from 'node:http';
import httpProxy from 'http-proxy';

const [listenPort = '0', target = 'http://127.0.0.1:8080'] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxy = httpProxy.createProxyServer({ target, agent });
proxy.on('error', (_err, _req, res) => {
  if (res instanceof http.ServerResponse && !res.headersSent) res.writeHead(502).end();
  else res.destroy();
});
const server = http.createServer((req, res) => proxy.web(req, res));
server.keepAliveTimeout = 60_000;
server.listen(Number(listenPort), '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
