// Helpers for the sidecar integration tests: real upstream HTTP servers, mesh config YAML, an HTTP
// client that sets Host freely, and a tracer that records spans.

import { randomBytes } from 'node:crypto';
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseB3 } from '../src/sidecar/b3';
import type { AttemptRecord, HopSpan, SidecarTracerApi, SpanStart } from '../src/sidecar/telemetry-types';
import type { ConfigSource, MeshSnapshot } from '../src/sidecar-config/config-source';

export interface Upstream {
  port: number;
  /** Requests seen, in order. */
  seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: string, n: number) => unknown;

/** A real HTTP server on 127.0.0.1; the handler gets the whole body and the request's 1-based number. */
export async function startUpstream(handler: UpstreamHandler, port = 0): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      void handler(req, res, body, seen.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An upstream answering `name` with 200 (and its name in a header). */
export function named(name: string): UpstreamHandler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name });
    res.end(name);
  };
}

export interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** Sends one request to 127.0.0.1:port with any Host header (fetch cannot set Host). */
export function send(
  port: number,
  opts: {
    host?: string;
    path?: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: opts.path ?? '/',
        method: opts.method ?? 'GET',
        agent,
        headers: { ...(opts.host ? { host: opts.host } : {}), ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** GETs a URL (admin endpoints) as text. */
export async function getText(url: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url);
  return { status: r.status, body: await r.text() };
}

/** A service port as a ServiceEntry declares it: Istio's port name (`grpc-*`, `tcp-*`) and protocol. */
export interface PortDeclaration {
  /** Port name (default `http`); its prefix tells Istio's protocol when `protocol` is absent. */
  portName?: string;
  /** `HTTP`, `HTTP2`, `GRPC`, `TCP`, ... */
  protocol?: string;
}

/** A MESH_INTERNAL ServiceEntry `<name>.<ns>.svc.cluster.local` with one port, selecting `app: <name>`. */
export function serviceEntry(
  name: string,
  port = 9080,
  opts: PortDeclaration & { ns?: string } = {},
): string {
  const ns = opts.ns ?? 'default';
  const protocol = opts.protocol ? `, protocol: ${opts.protocol}` : '';
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ${name}, namespace: ${ns}}
spec:
  hosts: [${name}.${ns}.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: ${port}, name: ${opts.portName ?? 'http'}${protocol}}]
  workloadSelector: {labels: {app: ${name}}}
`;
}

/** A WorkloadEntry on 127.0.0.1 whose port named `portName` (default `http`) is `port`. */
export function workloadEntry(
  app: string,
  version: string,
  port: number,
  opts: {
    ns?: string;
    name?: string;
    healthy?: boolean;
    sidecar?: boolean;
    portName?: string;
    serviceAccount?: string;
  } = {},
): string {
  const name = opts.name ?? `${app}-${version}-${port}`;
  // Istio's label for an endpoint whose sidecar takes mTLS (auto-mTLS goes to it over mTLS).
  const tls = opts.sidecar ? ', security.istio.io/tlsMode: istio' : '';
  return `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: ${name}, namespace: ${opts.ns ?? 'default'}}
spec:
  address: 127.0.0.1
  ports: {${opts.portName ?? 'http'}: ${port}}
  labels: {app: ${app}, version: ${version}, meshlens.io/workload: ${app}-${version}${tls}}
${opts.serviceAccount ? `  serviceAccount: ${opts.serviceAccount}\n` : ''}${opts.healthy === false ? 'status:\n  conditions: [{type: Healthy, status: "False"}]\n' : ''}`;
}

/** A VirtualService for `host` with the given `http:` routes (YAML list items, indented two spaces). */
export function virtualService(host: string, httpRoutes: string): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${host}, namespace: default}
spec:
  hosts: [${host}]
  http:
${httpRoutes}`;
}

/** The sum of a metric's samples whose labels include every `match` pair (a sidecar's own registry). */
export async function metricSum(
  metrics: { render(accept: undefined): Promise<{ body: string }> | { body: string } },
  name: string,
  match: Record<string, string>,
): Promise<number> {
  let sum = 0;
  for (const line of (await metrics.render(undefined)).body.split('\n'))
    if (line.startsWith(`${name}{`) && Object.entries(match).every(([k, v]) => line.includes(`${k}="${v}"`)))
      sum += Number(line.split(' ').pop());
  return sum;
}

export function yamlDocs(...docs: string[]): string {
  return docs.join('---\n');
}

// A fake tracer for in-process tests: continues B3 like the real one and keeps every ended span.

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

export interface RecordedSpan {
  kind: 'server' | 'client';
  start: SpanStart;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  attempts: AttemptRecord[];
  attributes: Record<string, string | number | boolean>;
  result?: { statusCode: number; responseFlags: string; error: boolean };
}

function createPropagatingTracer(onEnd?: (span: RecordedSpan) => void): SidecarTracerApi {
  const start = (
    kind: 'server' | 'client',
    incoming: Record<string, string | string[] | undefined>,
    s: SpanStart,
  ): HopSpan => {
    const parent = parseB3(incoming);
    const rec: RecordedSpan = {
      kind,
      start: s,
      traceId: parent?.traceId ?? hex(16),
      spanId: hex(8),
      parentSpanId: parent?.spanId,
      attempts: [],
      attributes: {},
    };
    const sampled = parent?.sampled ?? true;
    return {
      traceId: rec.traceId,
      spanId: rec.spanId,
      sampled,
      b3Headers: () => ({
        'x-b3-traceid': rec.traceId,
        'x-b3-spanid': rec.spanId,
        ...(rec.parentSpanId ? { 'x-b3-parentspanid': rec.parentSpanId } : {}),
        'x-b3-sampled': sampled ? '1' : '0',
      }),
      setAttribute: (k, v) => {
        rec.attributes[k] = v;
      },
      addAttempt: (a) => {
        rec.attempts.push(a);
      },
      end: (result) => {
        rec.result = result;
        onEnd?.(rec);
      },
    };
  };
  return {
    startServerSpan: (incoming, s) => start('server', incoming, s),
    startClientSpan: (incoming, s) => start('client', incoming, s),
    shutdown: async () => {},
  };
}

/** A tracer that propagates B3 and keeps every ended span. */
export function recordingTracer() {
  const spans: RecordedSpan[] = [];
  return { tracer: createPropagatingTracer((s) => spans.push(s)), spans };
}

/** What a test opened (servers, sidecars, sockets), closed together by `closeAll` after each test. */
export function openedResources() {
  const opened: Array<{ close(): Promise<void> }> = [];
  return {
    track<T extends { close(): Promise<void> }>(resource: T): T {
      opened.push(resource);
      return resource;
    },
    closeAll: async () => {
      await Promise.all(opened.splice(0).map((o) => o.close()));
    },
  };
}

/** A config source whose snapshot the test replaces. */
export function mutableSource(first: MeshSnapshot) {
  let current = first;
  const listeners = new Set<(s: MeshSnapshot) => void>();
  const source: ConfigSource = {
    current: () => current,
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close: async () => {},
  };
  return {
    source,
    push(s: MeshSnapshot) {
      current = s;
      for (const l of listeners) l(s);
    },
  };
}
