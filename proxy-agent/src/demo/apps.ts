// The demo's applications: small real HTTP servers that do Bookinfo's work, call their dependencies
// through their own sidecar's outbound port (HTTP, or gRPC to ratings), and forward the B3 headers they
// receive (as Istio asks). Ratings (gRPC) and the store (TCP) are in grpc-ratings.ts and store.ts.
import { Agent, createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { type Behaviour, decide } from './app-behaviour';
import type { AppHandle } from './app-handle';
import { type Call, callsOf, type Role, UNREGISTERED_HOST } from './topology';

export type { AppHandle } from './app-handle';

/** Headers an app must copy from its inbound request to its outbound calls (Istio's list, B3 part). */
export const FORWARDED = [
  'x-request-id',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'b3',
  'end-user',
];

export interface AppOptions {
  role: Role;
  version: string;
  instance: string;
  port: number;
  /** The sidecar's outbound listener, where every call to another service goes. */
  outboundPort: number;
  /** The port of the unregistered host (`localhost`) details calls; without it that call is not made. */
  outsidePort?: number;
  /** Current misbehaviour knobs (read on each request, so a scenario change applies at once). */
  behaviour: () => Behaviour;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function forwardHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED) {
    const v = incoming[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

/** GET http://<host><path> through the sidecar; resolves with the status (0 when the call failed). */
export function call(
  outboundPort: number,
  host: string,
  path: string,
  headers: Record<string, string>,
): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port: outboundPort, path, agent, headers: { ...headers, host }, timeout: 15_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

function body(role: Role, version: string, instance: string): string {
  const base = { service: role, version, instance };
  switch (role) {
    case 'details':
      return JSON.stringify({
        ...base,
        id: 0,
        author: 'William Shakespeare',
        year: 1595,
        type: 'paperback',
        pages: 200,
      });
    case 'ratings':
      return JSON.stringify({ ...base, id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } });
    case 'reviews':
      return JSON.stringify({
        ...base,
        id: 0,
        reviews: [{ reviewer: 'Reviewer1', text: 'An extremely entertaining play.' }],
      });
    default:
      return JSON.stringify({ ...base, title: 'The Comedy of Errors' });
  }
}

/** A dependency call's outcome: fine, or what went wrong in words. */
type Caller = (headers: Record<string, string>) => Promise<string | undefined>;

/**
 * How this app makes one of its calls: HTTP through the sidecar, or gRPC (its client loaded lazily). An
 * optional call's failure is the graph's to show, not this request's (the book covers are decoration).
 */
async function callerFor(c: Call, outboundPort: number, outsidePort: number | undefined): Promise<Caller> {
  if (c.protocol === 'grpc') {
    const { RatingsClient, grpcStatusName } = await import('./grpc-ratings');
    const client = new RatingsClient(outboundPort, c.host);
    return async (headers) => {
      const r = await client.get(0, headers);
      return r.code === 0 ? undefined : `${c.host} answered ${grpcStatusName(r.code)}: ${r.details}`;
    };
  }
  const host = c.host === UNREGISTERED_HOST ? `${c.host}:${outsidePort}` : c.host;
  return async (headers) => {
    const status = await call(outboundPort, host, c.path, headers);
    return (status >= 200 && status < 400) || c.optional ? undefined : `${c.host} answered ${status}`;
  };
}

export async function startApp(options: AppOptions): Promise<AppHandle> {
  const { role, version, instance, outboundPort } = options;
  const callers = await Promise.all(
    callsOf(role, version)
      .filter((c) => c.protocol !== 'tcp')
      // The unregistered host's call needs its port.
      .filter((c) => c.host !== UNREGISTERED_HOST || options.outsidePort !== undefined)
      .map((c) => callerFor(c, outboundPort, options.outsidePort)),
  );
  const server: Server = createServer(async (req, res) => {
    req.resume();
    if (req.url === '/healthz') {
      res.writeHead(200).end('ok');
      return;
    }
    const decision = decide(options.behaviour(), instance, version, Date.now(), Math.random);
    if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs));
    if (decision.failWith !== undefined) {
      res.writeHead(decision.failWith, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'demo error burst', instance }));
      return;
    }
    const headers = forwardHeaders(req.headers);
    const failed = (await Promise.all(callers.map((c) => c(headers)))).find((e) => e !== undefined);
    if (failed !== undefined) {
      // A failed dependency fails this request too, so the trouble is visible all the way up.
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: failed, instance }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body(role, version, instance));
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : options.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}
