// Shared by the control-plane integration tests: a control plane as a real process on a free port,
// and small HTTP helpers speaking its REST API.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { type AgentProcess, freePort, spawnAgent, waitFor } from './support/processes';

export const API = '/apis/networking.istio.io/v1';
export const NS_PATH = `${API}/namespaces/default`;

export interface CpProcess {
  url: string;
  port: number;
  dataDir: string;
  token?: string;
  tokenFile?: string;
  /** The CA's trust bundle (PEM) when serving HTTPS. */
  ca?: string;
  proc: AgentProcess;
  /** SIGTERM and wait. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait: no chance to tidy up. */
  kill9(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  port?: number;
  token?: string;
  args?: string[];
  /** Serve HTTPS with the mesh CA's certificate (default: --insecure-http, as most tests need no TLS). */
  tls?: boolean;
}

/** A fetch that trusts `ca` (PEM) for HTTPS, as every client of the control plane must. */
export function fetchTrusting(ca: string | undefined): typeof fetch {
  if (ca === undefined) return fetch;
  const dispatcher = new Agent({ connect: { ca } });
  return ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, { ...(init as object), dispatcher } as Parameters<
      typeof undiciFetch
    >[1])) as unknown as typeof fetch;
}

export async function tempDir(prefix = 'meshlens-cp-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Starts `meshlens-agent control-plane` and waits until /healthz answers. */
export async function startCp(options: StartOptions = {}): Promise<CpProcess> {
  const dataDir = options.dataDir ?? (await tempDir());
  const port = options.port ?? (await freePort());
  const args = ['control-plane', '--port', String(port), '--data-dir', dataDir, ...(options.args ?? [])];
  if (!options.tls) args.push('--insecure-http');
  let tokenFile: string | undefined;
  if (options.token !== undefined) {
    // Inside the data directory, so the test's removeDir(dataDir) takes it too (none left in /tmp).
    tokenFile = join(dataDir, 'client.token');
    await writeFile(tokenFile, `${options.token},ci-admin\n`, { mode: 0o600 });
    args.push('--token-file', tokenFile);
    // The tests' sidecars share this token: as a CA admin its user may ask for any workload identity.
    if (!args.includes('--ca-admin-users')) args.push('--ca-admin-users', 'ci-admin');
  }
  const proc = spawnAgent(args);
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  let ca: string | undefined;
  try {
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`control plane exited: ${proc.output()}`);
        // The trust bundle is written before the listener opens: read it as a local client would.
        if (options.tls) ca = await readFile(join(dataDir, 'ca', 'root-cert.pem'), 'utf8');
        const res = await fetchTrusting(ca)(`${url}/healthz`);
        return res.ok;
      },
      { what: `control plane on ${url}`, timeoutMs: 15_000 },
    );
  } catch (err) {
    // A control plane that never became ready is not left running behind the failed test.
    await proc.stop();
    throw err;
  }
  return {
    url,
    port,
    dataDir,
    ...(options.token !== undefined ? { token: options.token, tokenFile } : {}),
    ...(ca !== undefined ? { ca } : {}),
    proc,
    stop: () => proc.stop(),
    async kill9() {
      const exited = new Promise((r) => proc.child.once('exit', r));
      proc.child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

// The tests read Status and resource fields dynamically; a loose JSON type keeps them short.
// biome-ignore lint/suspicious/noExplicitAny: test-side JSON of many shapes
export type Json = any;

/** One HTTP request; a JSON body is sent as JSON unless a content-type says otherwise. */
export async function call(
  cp: { url: string; token?: string; ca?: string },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply<Json>> {
  const h: Record<string, string> = { ...headers };
  if (cp.token !== undefined && h.authorization === undefined) h.authorization = `Bearer ${cp.token}`;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    h['content-type'] ??= 'application/json';
  }
  const res = await fetchTrusting(cp.ca)(`${cp.url}${path}`, { method, headers: h, body: payload });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export const serviceEntry = (name: string, namespace = 'default') => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name, namespace },
  spec: {
    hosts: [`${name}.${namespace}.svc.cluster.local`],
    ports: [{ number: 9080, name: 'http', protocol: 'HTTP' }],
    location: 'MESH_INTERNAL',
    resolution: 'STATIC',
    workloadSelector: { labels: { app: name } },
  },
});

export const destinationRule = (host: string, subsets: string[], resourceVersion?: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: host, ...(resourceVersion ? { resourceVersion } : {}) },
  spec: { host, subsets: subsets.map((s) => ({ name: s, labels: { version: s } })) },
});

export const weightedRoute = (host: string, weights: Record<string, number>, resourceVersion?: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: host, ...(resourceVersion ? { resourceVersion } : {}) },
  spec: {
    hosts: [host],
    http: [
      {
        route: Object.entries(weights).map(([subset, weight]) => ({ destination: { host, subset }, weight })),
      },
    ],
  },
});

/** Reads a watch stream's events until `until` says stop (or the timeout), then aborts it. */
export async function collectWatch(
  cp: { url: string; token?: string },
  path: string,
  until: (events: Json[]) => boolean,
  timeoutMs = 10_000,
): Promise<Json[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: Json[] = [];
  try {
    const res = await fetch(`${cp.url}${path}`, {
      headers: cp.token ? { authorization: `Bearer ${cp.token}` } : {},
      signal: controller.signal,
    });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) events.push(JSON.parse(line));
        nl = buffer.indexOf('\n');
      }
      if (until(events)) break;
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}
