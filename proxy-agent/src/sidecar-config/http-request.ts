// HTTP requests to the control plane over node:http, not fetch: fetch loads Node's bundled undici on
// first use (~11 MB resident), which every sidecar would pay for its watches and heartbeats alone.
// https (a Kubernetes API server) loads node:https only when such a URL is used.
import type { IncomingMessage, RequestOptions } from 'node:http';
import type { HttpTransport } from '../../../lib/mesh-config/client';

export interface HttpRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** PEM roots an https server must chain to (the control plane's CA); the system's when absent. */
  ca?: string;
  /** Skip verification: only to fetch the CA's roots once, when the operator explicitly asks. */
  insecureSkipVerify?: boolean;
}

/** Sends a request; resolves with the response head (its body still to be read or streamed). */
export async function openRequest(url: URL, init: HttpRequestInit = {}): Promise<IncomingMessage> {
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const options: RequestOptions = {
    method: init.method ?? 'GET',
    headers: {
      ...init.headers,
      ...(init.body !== undefined ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}),
    },
    ...(init.signal ? { signal: init.signal } : {}),
    ...(init.ca !== undefined ? { ca: init.ca } : {}),
    ...(init.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
  } as RequestOptions;
  return new Promise((resolve, reject) => {
    const req = request(url, options, resolve);
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The whole body as text (UTF-8). */
export async function readText(res: IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let text = '';
  for await (const chunk of res) text += chunk as string;
  return text;
}

/** A MeshConfigClient transport over node:http(s), verifying https servers against `ca` when given. */
export function nodeTransport(ca?: string): HttpTransport {
  return async ({ method, url, headers, body, timeoutMs }) => {
    const res = await openRequest(url, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
      ...(ca !== undefined ? { ca } : {}),
    });
    return { status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', text: await readText(res) };
  };
}

/** A MeshConfigClient transport over node:http (https verified against the system's roots). */
export const nodeHttpTransport: HttpTransport = nodeTransport();
