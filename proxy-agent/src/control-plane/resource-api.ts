// The Kubernetes-style REST API of the mesh resources: list, get, watch, create, replace, patch, delete.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiVersionOf } from '../../../lib/mesh-config/kinds';
import type { MeshResource } from '../../../lib/mesh-config/schema';
import type { Actor } from './audit-log';
import { bodyFormat, parseBody, readBody } from './body';
import { type FieldValidation, parseFieldValidation, validateFields } from './kube/field-validation';
import { fieldSelector, labelSelector, type Selector } from './kube/selectors';
import { tableOf, tableVersion } from './kube/table';
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

const APPLY_PATCH = 'application/apply-patch+yaml';

function isApplyPatch(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() === APPLY_PATCH;
}

async function readResourceBody(
  req: IncomingMessage,
  allowPatch: boolean,
  limits: ResourceApiContext['limits'],
): Promise<Record<string, unknown>> {
  // Server-side apply sends the whole intended object as YAML (JSON is YAML too).
  const format = allowPatch && isApplyPatch(req) ? 'yaml' : bodyFormat(req.headers['content-type']);
  if (!format || (format === 'merge-patch' || (allowPatch && isApplyPatch(req))) !== allowPatch) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      allowPatch
        ? `the patch content type must be application/merge-patch+json or ${APPLY_PATCH}, not ${req.headers['content-type'] ?? 'none'}`
        : `the content type must be application/json or application/yaml, not ${req.headers['content-type']}`,
    );
  }
  return parseBody(await readBody(req, limits.maxBodyBytes), format, limits.maxBodyDepth);
}

/** `?dryRun=All`: decide, answer, keep nothing (kubectl diff). */
function dryRunOf(url: URL): boolean {
  const values = url.searchParams.getAll('dryRun');
  for (const v of values)
    if (v !== 'All') throw badRequest(`Invalid dryRun value: ${v.slice(0, 40)}; must be All`);
  return values.length > 0;
}

/** Both selectors of a list or watch, as one test (undefined: everything). */
function selectorOf(url: URL): Selector | undefined {
  const l = labelSelector(url.searchParams.get('labelSelector'));
  const f = fieldSelector(url.searchParams.get('fieldSelector'));
  if (!l || !f) return l ?? f;
  return (o) => l(o) && f(o);
}

/** Kubernetes' Warning header (RFC 7234 form: 299 - "text"). */
function warn(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length > 0)
    res.setHeader(
      'warning',
      warnings.map((w) => `299 - ${JSON.stringify(w.replace(/[^\x20-\x7e]/g, '?'))}`),
    );
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
  const dryRun = req.method === 'GET' ? false : dryRunOf(url);
  const mutate = async (m: Mutation) => {
    const change = await store.mutate(m, actor, { dryRun });
    if (!dryRun) {
      ctx.onChange?.(change);
      return change.object;
    }
    // Nothing was stored: the version stays the live object's (none for a create), as in Kubernetes.
    const { resourceVersion: _rv, ...metadata } = change.object.metadata;
    const live = change.old?.metadata.resourceVersion;
    return { ...change.object, metadata: { ...metadata, ...(live ? { resourceVersion: live } : {}) } };
  };
  const fieldValidation: FieldValidation | undefined = parseFieldValidation(
    url.searchParams.get('fieldValidation'),
  );
  const checked = (body: Record<string, unknown>) => {
    if (fieldValidation === undefined) return body;
    const v = validateFields(kind, body, fieldValidation);
    warn(res, v.warnings);
    return v.body;
  };
  switch (req.method) {
    case 'GET': {
      const selector = selectorOf(url);
      const table = tableVersion(req.headers.accept);
      await store.sync();
      if (name === undefined) {
        const watch = url.searchParams.get('watch');
        if (watch === 'true' || watch === '1') return serveWatch(req, res, url, path, ctx, selector, table);
        const all = store.list(kind, namespace);
        const page = pageOf(
          selector ? all.filter(selector) : all,
          url.searchParams.get('limit'),
          url.searchParams.get('continue'),
        );
        if (table)
          return sendJson(
            res,
            200,
            tableOf(kind, page.items, table, {
              resourceVersion: store.resourceVersion,
              ...(page.continue !== undefined
                ? { continue: page.continue, remainingItemCount: page.remainingItemCount }
                : {}),
            }),
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
      if (table)
        return sendJson(res, 200, tableOf(kind, [object], table, { resourceVersion: store.resourceVersion }));
      return sendJson(res, 200, object);
    }
    case 'POST': {
      if (name !== undefined || namespace === undefined)
        throw new ApiError(405, 'MethodNotAllowed', 'POST creates in a namespaced collection');
      const body = checked(await readResourceBody(req, false, ctx.limits));
      return sendJson(res, 201, await mutate({ verb: 'create', kind, namespace, body }));
    }
    case 'PUT': {
      if (name === undefined || namespace === undefined)
        throw new ApiError(405, 'MethodNotAllowed', 'PUT replaces a named resource');
      const body = checked(await readResourceBody(req, false, ctx.limits));
      return sendJson(res, 200, await mutate({ verb: 'replace', kind, namespace, name, body }));
    }
    case 'PATCH': {
      if (name === undefined || namespace === undefined)
        throw new ApiError(405, 'MethodNotAllowed', 'PATCH changes a named resource');
      const apply = isApplyPatch(req);
      const patch = checked(await readResourceBody(req, true, ctx.limits));
      // Server-side apply, simplified: creates what is missing, else merges the intended object in
      // (no field ownership: managedFields and apply conflicts are not tracked).
      if (apply) {
        await store.sync();
        if (!store.get(kind, namespace, name)) {
          const created = await mutate({ verb: 'create', kind, namespace, body: patch });
          return sendJson(res, 201, created);
        }
      }
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
  selector?: Selector,
  table?: 'v1' | 'v1beta1',
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
    ? store
        .list(path.kind, path.namespace)
        .filter((o) => !selector || selector(o))
        .map((object: MeshResource) => ({ type: 'ADDED', object }))
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
  let columnsSent = false;
  const shape = (events: readonly { type: string; object: unknown }[]) => {
    let out = selector
      ? events.filter(
          (e) => e.type === 'BOOKMARK' || e.type === 'ERROR' || selector(e.object as MeshResource),
        )
      : events;
    // kubectl get -w asks for Table events: each object as a one-row Table (columns on the first).
    if (table)
      out = out.map((e) => {
        if (e.type === 'BOOKMARK' || e.type === 'ERROR') return e;
        const t = {
          type: e.type,
          object: tableOf(path.kind, [e.object as MeshResource], table, {}, !columnsSent),
        };
        columnsSent = true;
        return t;
      });
    return out;
  };
  const write = (raw: readonly { type: string; object: unknown }[]) => {
    const events = shape(raw);
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
