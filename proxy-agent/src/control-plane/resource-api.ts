// The Kubernetes-style REST API of the mesh resources: list, get, watch, create, replace, patch, delete.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiVersionOf } from '../../../lib/mesh-config/kinds';
import type { MeshResource } from '../../../lib/mesh-config/schema';
import type { Actor } from './audit-log';
import { bodyFormat, parseBody, readBody } from './body';
import { pageOf } from './list-pages';
import type { MeshStore, Subscription } from './mesh-store';
import type { ResourcePath } from './paths';
import type { Change, Mutation } from './resource-state';
import { ApiError, badRequest, notFound, type Status } from './status';
import { eventLine, type WatchEvent } from './watch-hub';
import type { WatchQuota } from './watch-quota';

/** Kubernetes sends a bookmark about once a minute; client idle timeouts are commonly 5 minutes. */
export const BOOKMARK_INTERVAL_MS = 60_000;
/** The longest `timeoutSeconds` a timer can hold (2^31 - 1 ms). */
const MAX_WATCH_TIMEOUT_S = Math.floor((2 ** 31 - 1) / 1000);

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendStatus(res: ServerResponse, status: Status): void {
  sendJson(res, status.code, status);
}

export interface ResourceApiContext {
  store: MeshStore;
  actor: Actor;
  /** Called after each accepted change (the registry counts a registration as a heartbeat). */
  onChange?: (change: Change) => void;
  /** Watch responses still open, ended when the server closes. */
  watches: Set<ServerResponse>;
  /** Concurrent watches per user. */
  watchQuota: WatchQuota;
  limits: { maxBodyBytes: number; maxBodyDepth: number; watchBufferBytes: number };
  log: (line: string) => void;
}

function listKind(kind: string): string {
  return `${kind}List`;
}

async function readResourceBody(
  req: IncomingMessage,
  allowPatch: boolean,
  limits: ResourceApiContext['limits'],
): Promise<Record<string, unknown>> {
  const format = bodyFormat(req.headers['content-type']);
  if (!format || (format === 'merge-patch') !== allowPatch) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      allowPatch
        ? `the patch content type must be application/merge-patch+json, not ${req.headers['content-type'] ?? 'none'}`
        : `the content type must be application/json or application/yaml, not ${req.headers['content-type']}`,
    );
  }
  return parseBody(await readBody(req, limits.maxBodyBytes), format, limits.maxBodyDepth);
}

export async function handleResource(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: ResourcePath,
  ctx: ResourceApiContext,
): Promise<void> {
  const { store, actor } = ctx;
  const { kind, namespace, name } = path;
  const mutate = async (m: Mutation) => {
    const change = await store.mutate(m, actor);
    ctx.onChange?.(change);
    return change.object;
  };
  switch (req.method) {
    case 'GET': {
      // Selectors are not implemented: answering unfiltered would mislead a client, so say so.
      for (const p of ['labelSelector', 'fieldSelector'])
        if (url.searchParams.get(p)) throw badRequest(`${p} is not supported by this control plane`);
      await store.sync();
      if (name === undefined) {
        const watch = url.searchParams.get('watch');
        if (watch === 'true' || watch === '1') return serveWatch(req, res, url, path, ctx);
        const page = pageOf(
          store.list(kind, namespace),
          url.searchParams.get('limit'),
          url.searchParams.get('continue'),
        );
        return sendJson(res, 200, {
          kind: listKind(kind),
          apiVersion: apiVersionOf(kind),
          metadata: {
            resourceVersion: store.resourceVersion,
            ...(page.continue !== undefined
              ? { continue: page.continue, remainingItemCount: page.remainingItemCount }
              : {}),
          },
          items: page.items,
        });
      }
      const object = store.get(kind, namespace as string, name);
      if (!object) throw notFound(kind, name);
      return sendJson(res, 200, object);
    }
    case 'POST': {
      if (name !== undefined || namespace === undefined)
        throw new ApiError(405, 'MethodNotAllowed', 'POST creates in a namespaced collection');
      const body = await readResourceBody(req, false, ctx.limits);
      return sendJson(res, 201, await mutate({ verb: 'create', kind, namespace, body }));
    }
    case 'PUT': {
      if (name === undefined || namespace === undefined)
        throw new ApiError(405, 'MethodNotAllowed', 'PUT replaces a named resource');
      const body = await readResourceBody(req, false, ctx.limits);
      return sendJson(res, 200, await mutate({ verb: 'replace', kind, namespace, name, body }));
    }
    case 'PATCH': {
      if (name === undefined || namespace === undefined)
        throw new ApiError(405, 'MethodNotAllowed', 'PATCH changes a named resource');
      const patch = await readResourceBody(req, true, ctx.limits);
      return sendJson(res, 200, await mutate({ verb: 'patch', kind, namespace, name, patch }));
    }
    case 'DELETE': {
      if (name === undefined || namespace === undefined)
        throw new ApiError(405, 'MethodNotAllowed', 'DELETE removes a named resource');
      // Kubernetes DeleteOptions may carry preconditions; a body is optional.
      const text = await readBody(req, ctx.limits.maxBodyBytes);
      let resourceVersion: string | undefined;
      if (text.trim() !== '') {
        const opts = parseBody(text, 'json', ctx.limits.maxBodyDepth) as {
          preconditions?: { resourceVersion?: unknown };
        };
        const rv = opts.preconditions?.resourceVersion;
        if (rv !== undefined) resourceVersion = String(rv);
      }
      return sendJson(res, 200, await mutate({ verb: 'delete', kind, namespace, name, resourceVersion }));
    }
    default:
      res.setHeader('allow', name === undefined ? 'GET, POST' : 'GET, PUT, PATCH, DELETE');
      throw new ApiError(
        405,
        'MethodNotAllowed',
        `the server does not allow ${req.method} on ${url.pathname}`,
      );
  }
}

/**
 * A watch: headers at once, then one JSON event a line. Without a resourceVersion (or "0") it starts with
 * an ADDED event per existing object, as Kubernetes does; with one, it replays what came after it.
 */
async function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: ResourcePath,
  ctx: ResourceApiContext,
): Promise<void> {
  const { store } = ctx;
  const rvParam = url.searchParams.get('resourceVersion') ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resourceVersion ${rvParam}`);
  const timeoutParam = url.searchParams.get('timeoutSeconds');
  if (timeoutParam !== null && !/^[1-9]\d{0,9}$/.test(timeoutParam))
    throw badRequest(`invalid timeoutSeconds ${timeoutParam.slice(0, 40)}`);
  // A timer longer than Node's (about 24.8 days) would fire at once: longer asks mean "no end" anyway.
  const timeoutS = timeoutParam === null ? undefined : Math.min(Number(timeoutParam), MAX_WATCH_TIMEOUT_S);

  const filter = { kind: path.kind, ...(path.namespace !== undefined ? { namespace: path.namespace } : {}) };
  const fromStart = rvParam === '' || rvParam === '0';
  const initial: WatchEvent[] = fromStart
    ? store.list(path.kind, path.namespace).map((object: MeshResource) => ({ type: 'ADDED', object }))
    : [];

  const user = ctx.actor.identity;
  const release = ctx.watchQuota.acquire(user);
  if (!release) {
    res.setHeader('retry-after', '1');
    throw new ApiError(
      429,
      'TooManyRequests',
      `too many concurrent watches for user ${user} (limit ${ctx.watchQuota.perUser}, --max-watches-per-user)`,
    );
  }
  // Output this watcher may leave unsent before it is closed; raised below by the initial burst.
  let budget = ctx.limits.watchBufferBytes;
  const write = (events: readonly { type: string; object: unknown }[]) => {
    if (events.length === 0 || res.destroyed) return;
    if (res.writableLength > budget) {
      // A watcher that does not read would hold every later event in memory: close it, as
      // kube-apiserver does; its client lists and watches again.
      ctx.log(
        `closing a ${path.kind} watch of ${user}: ${res.writableLength} bytes unsent (limit ${ctx.limits.watchBufferBytes}, --watch-buffer-bytes)`,
      );
      res.destroy();
      return;
    }
    for (const e of events) res.write(eventLine(e));
  };

  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
  res.flushHeaders();
  // As the Kubernetes API server does: an ERROR event carrying the Status (410 Expired), then the end.
  const fail = (err: unknown) => {
    if (res.writableEnded || res.destroyed) return;
    if (err instanceof ApiError) res.end(`${JSON.stringify({ type: 'ERROR', object: err.toStatus() })}\n`);
    else res.end();
  };
  let sub: Subscription;
  try {
    sub = await store.subscribe(
      filter,
      fromStart ? Number(store.resourceVersion) : Number(rvParam),
      write,
      fail,
    );
  } catch (err) {
    release();
    if (err instanceof ApiError) fail(err);
    else {
      ctx.log(`cannot open a ${path.kind} watch: ${err instanceof Error ? err.message : String(err)}`);
      res.destroy();
    }
    return;
  }
  if (res.destroyed) {
    // The client left while the store opened the watch.
    sub.unsubscribe();
    release();
    return;
  }
  write(initial);
  write(sub.replay);
  budget += res.writableLength;
  ctx.watches.add(res);
  const timer = timeoutS === undefined ? undefined : setTimeout(() => res.end(), timeoutS * 1000);
  // Bookmarks keep a quiet stream alive through client idle timeouts and carry the current version.
  const bookmarks =
    url.searchParams.get('allowWatchBookmarks') === 'true'
      ? setInterval(() => {
          const object = {
            kind: path.kind,
            apiVersion: apiVersionOf(path.kind),
            metadata: { resourceVersion: store.resourceVersion },
          };
          write([{ type: 'BOOKMARK', object }]);
        }, BOOKMARK_INTERVAL_MS)
      : undefined;
  const done = () => {
    // A stream closed before it ended was cut by the client: its connection cannot carry another request.
    if (!res.writableEnded) res.socket?.destroy();
    sub.unsubscribe();
    release();
    ctx.watches.delete(res);
    clearTimeout(timer);
    clearInterval(bookmarks);
  };
  res.once('close', done);
  req.once('close', done);
}
