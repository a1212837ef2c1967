// HTTP/2 from an app to a service whose port is declared HTTP: the caller's sidecar takes h2c, the
// callee's sidecar speaks HTTP/1.1 to its app (Istio's inbound cluster follows the port's protocol),
// bodies and headers cross both ways, and the callee reports the request as HTTP with its status.
import { connect, type IncomingHttpHeaders } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SidecarMetrics } from '../src/sidecar/metrics';
import { type SidecarHandle, startSidecar } from '../src/sidecar/sidecar';
import { parseConfigText, staticSource } from '../src/sidecar-config/static-file-source';
import {
  recordingTracer,
  serviceEntry,
  startUpstream,
  type Upstream,
  workloadEntry,
  yamlDocs,
} from './sidecar-harness';
import { freePort } from './support/processes';

const DETAILS = 'details.default.svc.cluster.local';
let app: Upstream;
let caller: SidecarHandle;
let callee: SidecarHandle;
const calleeMetrics = new SidecarMetrics();

beforeAll(async () => {
  // An HTTP/1.1-only app: it tells which protocol version reached it.
  app = await startUpstream((req, res, body) => {
    res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'text/plain', 'x-app': 'details' });
    res.end(`HTTP/${req.httpVersion} ${req.method} ${req.url} host=${req.headers.host} body=${body}`);
  });
  const inbound = await freePort();
  const yaml = yamlDocs(serviceEntry('details'), workloadEntry('details', 'v1', inbound));
  const source = () => staticSource(parseConfigText(yaml, 'mesh.yaml'));
  const quiet = { tracer: recordingTracer().tracer, log: () => {} };
  callee = await startSidecar({
    service: 'details',
    appPort: app.port,
    inboundPort: inbound,
    configSource: source(),
    metrics: calleeMetrics,
    ...quiet,
  });
  caller = await startSidecar({ service: 'productpage', appPort: 1, configSource: source(), ...quiet });
});

afterAll(async () => {
  await caller?.close();
  await callee?.close();
  await app?.close();
});

function h2Request(
  method: string,
  path: string,
  body?: string,
): Promise<{ headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${caller.ports.outbound}`);
    session.on('error', reject);
    const s = session.request({ ':method': method, ':path': path, ':authority': `${DETAILS}:9080` });
    let text = '';
    let headers: IncomingHttpHeaders = {};
    s.on('response', (h) => {
      headers = h;
    });
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      text += d;
    });
    s.on('end', () => {
      session.close();
      resolve({ headers, text });
    });
    s.on('error', reject);
    s.end(body);
  });
}

describe('HTTP/2 toward an HTTP/1.1 app', () => {
  it('reaches the app as HTTP/1.1 with its body, and relays the answer with its headers', async () => {
    const r = await h2Request('POST', '/details/1?x=1', 'a body');
    expect(r.headers[':status']).toBe(200);
    expect(r.headers['x-app']).toBe('details');
    expect(r.text).toBe(`HTTP/1.1 POST /details/1?x=1 host=${DETAILS}:9080 body=a body`);
  });

  it('relays the app’s status, and counts the request as HTTP on the destination reporter', async () => {
    const r = await h2Request('GET', '/missing');
    expect(r.headers[':status']).toBe(404);
    const scrape = (await calleeMetrics.render(undefined)).body;
    const line = scrape
      .split('\n')
      .find(
        (l) =>
          l.startsWith('istio_requests_total{') &&
          l.includes('reporter="destination"') &&
          l.includes('response_code="404"'),
      );
    expect(line).toContain('request_protocol="http"');
    expect(line).toContain('response_flags="-"');
  });
});
