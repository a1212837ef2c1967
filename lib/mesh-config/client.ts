// A small client for the mesh config REST API (Kubernetes-style paths for Istio resources). It speaks
// to the embedded control plane or to a Kubernetes API server with Istio's CRDs alike.
// Failures are values: {ok: false, status, reason, message, causes} from the Kubernetes Status object.

import { resourcePath } from './api-paths';
import type { MeshKind, MeshResource } from './schema';
import type { Cause } from './validate';

export interface ClientOptions {
  /** Base URL of the API server (`http://127.0.0.1:15010`). Configured by the operator, never by a user. */
  baseUrl: string;
  token?: string;
  /** Shown as the author in the control plane's audit log. */
  user?: string;
  timeoutMs?: number;
  /** How requests are sent (default: fetch). Light processes pass one over node:http. */
  transport?: HttpTransport;
}

/** One HTTP exchange: what MeshConfigClient needs of an HTTP stack. Rejects when unreachable. */
export type HttpTransport = (request: {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}) => Promise<{ status: number; statusText: string; text: string }>;

const fetchTransport: HttpTransport = async ({ method, url, headers, body, timeoutMs }) => {
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, statusText: res.statusText, text: await res.text() };
};

export interface Failure {
  ok: false;
  /** HTTP status, or 0 when the server could not be reached. */
  status: number;
  reason: string;
  message: string;
  causes: Cause[];
}

export type Result<T> = { ok: true; value: T } | Failure;

export interface ResourceList<T> {
  resourceVersion: string;
  items: T[];
}

/** Each kind's path comes from its own apiVersion (Istio's kinds span API groups). */
export { resourcePath };

export class MeshConfigClient {
  constructor(private readonly options: ClientOptions) {}

  /** Lists a kind (in every namespace without one), optionally by a Kubernetes label selector. */
  list<T extends MeshResource = MeshResource>(
    kind: MeshKind,
    namespace?: string,
    options: { labelSelector?: string } = {},
  ): Promise<Result<ResourceList<T>>> {
    const query =
      options.labelSelector === undefined
        ? ''
        : `?labelSelector=${encodeURIComponent(options.labelSelector)}`;
    return this.send<{ metadata?: { resourceVersion?: string }; items?: T[] }>(
      'GET',
      `${resourcePath(kind, namespace)}${query}`,
    ).then((r) =>
      r.ok
        ? {
            ok: true,
            value: { resourceVersion: r.value.metadata?.resourceVersion ?? '', items: r.value.items ?? [] },
          }
        : r,
    );
  }

  get<T extends MeshResource = MeshResource>(
    kind: MeshKind,
    namespace: string,
    name: string,
  ): Promise<Result<T>> {
    return this.send<T>('GET', resourcePath(kind, namespace, name));
  }

  create<T extends MeshResource>(resource: T): Promise<Result<T>> {
    return this.send<T>(
      'POST',
      resourcePath(resource.kind, resource.metadata.namespace ?? 'default'),
      resource,
    );
  }

  /** Replaces the resource; its `metadata.resourceVersion` must be the one it was read at (else 409). */
  replace<T extends MeshResource>(resource: T): Promise<Result<T>> {
    const ns = resource.metadata.namespace ?? 'default';
    return this.send<T>('PUT', resourcePath(resource.kind, ns, resource.metadata.name), resource);
  }

  delete(kind: MeshKind, namespace: string, name: string): Promise<Result<unknown>> {
    return this.send('DELETE', resourcePath(kind, namespace, name));
  }

  /** Creates the resource, or replaces it at its current resourceVersion after `merge(existing)`. */
  async apply<T extends MeshResource>(
    resource: T,
    merge: (existing: T) => T = () => resource,
  ): Promise<Result<T>> {
    const ns = resource.metadata.namespace ?? 'default';
    const existing = await this.get<T>(resource.kind, ns, resource.metadata.name);
    if (!existing.ok) return existing.status === 404 ? this.create(resource) : existing;
    const next = merge(existing.value);
    return this.replace({
      ...next,
      metadata: { ...next.metadata, resourceVersion: existing.value.metadata.resourceVersion },
    });
  }

  async send<T>(method: string, path: string, body?: unknown): Promise<Result<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (this.options.user) headers['x-meshlens-user'] = this.options.user;
    let res: { status: number; statusText: string; text: string };
    try {
      res = await (this.options.transport ?? fetchTransport)({
        method,
        url: new URL(path, this.options.baseUrl),
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        timeoutMs: this.options.timeoutMs ?? 5_000,
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return {
        ok: false,
        status: 0,
        reason: 'Unavailable',
        message: `control plane unreachable: ${message}`,
        causes: [],
      };
    }
    const { text } = res;
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.status >= 200 && res.status < 300) return { ok: true, value: json as T };
    const status = (json ?? {}) as { reason?: string; message?: string; details?: { causes?: Cause[] } };
    return {
      ok: false,
      status: res.status,
      reason: status.reason ?? res.statusText,
      message: status.message ?? (text.slice(0, 200) || res.statusText),
      causes: status.details?.causes ?? [],
    };
  }
}
