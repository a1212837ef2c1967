// The control plane's state and the pure rules of changing it: what a create, replace, patch, delete
// or status update does to the set of resources, the resourceVersion and the object metadata.
// No I/O here: the store persists and publishes what these functions decide.
import { apiVersionOf } from '../../../lib/mesh-config/kinds';
import { type MeshKind, type MeshResource, PLURALS } from '../../../lib/mesh-config/schema';
import { type Cause, crossValidate, parseResource } from '../../../lib/mesh-config/validate';
import { mergePatch } from './merge-patch';
import { metadataCauses } from './object-meta';
import { ApiError, alreadyExists, badRequest, conflict, invalid, notFound } from './status';

export interface ResourceState {
  /** The global counter: every accepted change increments it; it never goes back. */
  resourceVersion: number;
  objects: Map<string, MeshResource>;
}

export type WorkloadStatus = NonNullable<MeshResource['status']>;

export type Mutation =
  | { verb: 'create'; kind: MeshKind; namespace: string; body: Record<string, unknown> }
  | { verb: 'replace'; kind: MeshKind; namespace: string; name: string; body: Record<string, unknown> }
  | { verb: 'patch'; kind: MeshKind; namespace: string; name: string; patch: Record<string, unknown> }
  | { verb: 'delete'; kind: MeshKind; namespace: string; name: string; resourceVersion?: string }
  | {
      verb: 'status';
      kind: MeshKind;
      namespace: string;
      name: string;
      status: WorkloadStatus;
      /** Only when the object is still at this version (a stale decision is dropped, not applied). */
      resourceVersion?: string;
    };

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  type: EventType;
  /** The object as it is now (for DELETED: as it was, with the deleting resourceVersion). */
  object: MeshResource;
  old?: MeshResource;
}

export interface MutationContext {
  now: Date;
  newUid: () => string;
  /** Objects the state may hold; a create beyond it is refused. */
  maxObjects?: number;
}

export function objectKey(kind: MeshKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export function keyOf(r: MeshResource): string {
  return objectKey(r.kind, r.metadata.namespace ?? 'default', r.metadata.name);
}

export function emptyState(): ResourceState {
  return { resourceVersion: 0, objects: new Map() };
}

export function cloneState(s: ResourceState): ResourceState {
  return { resourceVersion: s.resourceVersion, objects: new Map(s.objects) };
}

/** JSON with sorted keys, so that equal specs compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** Objects in Kubernetes' field order: apiVersion, kind, metadata, spec, status. */
function ordered(r: MeshResource): MeshResource {
  const { apiVersion, kind, metadata, spec, status } = r;
  return { apiVersion, kind, metadata, spec, ...(status ? { status } : {}) } as MeshResource;
}

/**
 * Checks the body's type and namespace against the URL and fills them in when absent (as kubectl
 * does); server-owned fields are dropped, the client cannot set them.
 */
function normalizeBody(
  kind: MeshKind,
  namespace: string,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const expected = apiVersionOf(kind);
  const apiVersion = body.apiVersion ?? expected;
  if (apiVersion !== expected)
    throw badRequest(`the API version in the data (${String(apiVersion)}) does not match ${expected}`);
  const bodyKind = body.kind ?? kind;
  if (bodyKind !== kind)
    throw badRequest(`the kind in the data (${String(bodyKind)}) does not match ${kind} (${PLURALS[kind]})`);
  const meta = body.metadata;
  if (meta !== undefined && (meta === null || typeof meta !== 'object' || Array.isArray(meta)))
    throw invalid(kind, '', [{ field: 'metadata', message: 'must be an object' }]);
  const {
    uid: _u,
    creationTimestamp: _c,
    generation: _g,
    ...metadata
  } = (meta ?? {}) as Record<string, unknown>;
  const ns = metadata.namespace ?? namespace;
  if (ns !== namespace)
    throw badRequest(
      `the namespace of the provided object (${String(ns)}) does not match the namespace sent on the request (${namespace})`,
    );
  const { status: _s, ...rest } = body;
  return { ...rest, apiVersion, kind, metadata: { ...metadata, namespace } };
}

/** Structural validation: the zod schema, every failing field named. */
function validateShape(kind: MeshKind, name: string, body: Record<string, unknown>): MeshResource {
  const parsed = parseResource(body);
  if (!parsed.ok) throw invalid(kind, name, parsed.causes);
  return parsed.value;
}

function crossCauses(r: MeshResource, objects: ReadonlyMap<string, MeshResource>): Cause[] {
  const key = keyOf(r);
  const others = [...objects.values()].filter((o) => keyOf(o) !== key);
  return crossValidate(r, others);
}

/**
 * Causes of other resources that a change would newly break (a VirtualService naming a subset the new
 * DestinationRule drops, a host whose ServiceEntry goes away): a sidecar could not apply the result.
 */
function brokenDependents(
  before: ReadonlyMap<string, MeshResource>,
  after: ReadonlyMap<string, MeshResource>,
  changedKey: string,
): Cause[] {
  const causes: Cause[] = [];
  // Only VirtualServices and DestinationRules refer to other resources; WorkloadEntries are referred to by none.
  if (changedKey.startsWith('WorkloadEntry/')) return causes;
  for (const [key, other] of after) {
    if (key === changedKey || (other.kind !== 'VirtualService' && other.kind !== 'DestinationRule')) continue;
    const was = new Set(crossCauses(other, before).map((c) => `${c.field}\u0000${c.message}`));
    for (const c of crossCauses(other, after)) {
      if (was.has(`${c.field}\u0000${c.message}`)) continue;
      causes.push({
        field: `${other.kind}/${other.metadata.namespace ?? 'default'}/${other.metadata.name}.${c.field}`,
        message: c.message,
      });
    }
  }
  return causes;
}

function nameOf(body: Record<string, unknown>): string {
  const meta = body.metadata as { name?: unknown } | undefined;
  return typeof meta?.name === 'string' ? meta.name : '';
}

/** Admits a new or replacing object: shape, references, and what it would break elsewhere. */
function admit(
  state: ResourceState,
  kind: MeshKind,
  body: Record<string, unknown>,
  existing: MeshResource | undefined,
  ctx: MutationContext,
): MeshResource {
  const name = nameOf(body);
  const shaped = validateShape(kind, name, body);
  const metaCauses = metadataCauses(shaped.metadata);
  if (metaCauses.length > 0) throw invalid(kind, name, metaCauses);
  const rv = String(state.resourceVersion + 1);
  const specChanged = !existing || canonicalJson(existing.spec) !== canonicalJson(shaped.spec);
  const object = ordered({
    ...shaped,
    metadata: {
      ...shaped.metadata,
      resourceVersion: rv,
      uid: existing?.metadata.uid ?? ctx.newUid(),
      generation: (existing?.metadata.generation ?? 0) + (specChanged ? 1 : 0),
      creationTimestamp:
        existing?.metadata.creationTimestamp ?? ctx.now.toISOString().replace(/\.\d+Z$/, 'Z'),
    },
    ...(existing?.status ? { status: existing.status } : {}),
  } as MeshResource);
  const own = crossCauses(object, state.objects);
  if (own.length > 0) throw invalid(kind, name, own);
  const key = keyOf(object);
  const after = new Map(state.objects).set(key, object);
  const broken = brokenDependents(state.objects, after, key);
  if (broken.length > 0) throw invalid(kind, name, broken);
  return object;
}

function mustGet(state: ResourceState, kind: MeshKind, namespace: string, name: string): MeshResource {
  const existing = state.objects.get(objectKey(kind, namespace, name));
  if (!existing) throw notFound(kind, name);
  return existing;
}

function checkVersion(kind: MeshKind, existing: MeshResource, wanted: unknown): void {
  if (wanted === undefined || wanted === '') return;
  if (wanted !== existing.metadata.resourceVersion) {
    throw conflict(
      kind,
      existing.metadata.name,
      'the object has been modified; please apply your changes to the latest version and try again',
      [
        {
          field: 'metadata.resourceVersion',
          message: `is ${String(wanted)}, the current version is ${existing.metadata.resourceVersion}`,
        },
      ],
    );
  }
}

function replaceChecked(
  state: ResourceState,
  kind: MeshKind,
  namespace: string,
  name: string,
  body: Record<string, unknown>,
  requireVersion: boolean,
  ctx: MutationContext,
): Change {
  const normalized = normalizeBody(kind, namespace, body);
  const bodyName = nameOf(normalized);
  if (bodyName !== name)
    throw badRequest(
      `the name of the object (${bodyName || '<empty>'}) does not match the name on the URL (${name})`,
    );
  const existing = mustGet(state, kind, namespace, name);
  const wanted = (normalized.metadata as { resourceVersion?: unknown }).resourceVersion;
  if (requireVersion && (wanted === undefined || wanted === ''))
    throw invalid(kind, name, [
      { field: 'metadata.resourceVersion', message: 'must be specified for an update' },
    ]);
  checkVersion(kind, existing, wanted);
  const object = admit(state, kind, normalized, existing, ctx);
  return commit(state, { type: 'MODIFIED', object, old: existing });
}

function commit(state: ResourceState, change: Change): Change {
  state.resourceVersion += 1;
  const key = keyOf(change.object);
  if (change.type === 'DELETED') state.objects.delete(key);
  else state.objects.set(key, change.object);
  return change;
}

/** Applies one mutation to `state` in place, or throws the ApiError it is refused with. */
export function applyMutation(state: ResourceState, m: Mutation, ctx: MutationContext): Change {
  switch (m.verb) {
    case 'create': {
      const normalized = normalizeBody(m.kind, m.namespace, m.body);
      const name = nameOf(normalized);
      if (name && state.objects.has(objectKey(m.kind, m.namespace, name))) throw alreadyExists(m.kind, name);
      if (ctx.maxObjects !== undefined && state.objects.size >= ctx.maxObjects)
        throw new ApiError(
          403,
          'Forbidden',
          `the control plane holds its maximum of ${ctx.maxObjects} objects (--max-objects): delete some first`,
        );
      const object = admit(state, m.kind, normalized, undefined, ctx);
      return commit(state, { type: 'ADDED', object });
    }
    case 'replace':
      return replaceChecked(state, m.kind, m.namespace, m.name, m.body, true, ctx);
    case 'patch': {
      const existing = mustGet(state, m.kind, m.namespace, m.name);
      const { status: _s, ...current } = existing;
      const merged = mergePatch(
        { ...current, metadata: { ...current.metadata, resourceVersion: undefined } },
        m.patch,
      ) as Record<string, unknown>;
      return replaceChecked(state, m.kind, m.namespace, m.name, merged, false, ctx);
    }
    case 'delete': {
      const existing = mustGet(state, m.kind, m.namespace, m.name);
      checkVersion(m.kind, existing, m.resourceVersion);
      const key = keyOf(existing);
      const after = new Map(state.objects);
      after.delete(key);
      const broken = brokenDependents(state.objects, after, key);
      if (broken.length > 0)
        throw conflict(
          m.kind,
          m.name,
          `other resources depend on it: ${broken.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
          broken,
        );
      const rv = String(state.resourceVersion + 1);
      const object = { ...existing, metadata: { ...existing.metadata, resourceVersion: rv } } as MeshResource;
      return commit(state, { type: 'DELETED', object, old: existing });
    }
    case 'status': {
      const existing = mustGet(state, m.kind, m.namespace, m.name);
      checkVersion(m.kind, existing, m.resourceVersion);
      const rv = String(state.resourceVersion + 1);
      const object = ordered({
        ...existing,
        metadata: { ...existing.metadata, resourceVersion: rv },
        status: m.status,
      } as MeshResource);
      return commit(state, { type: 'MODIFIED', object, old: existing });
    }
  }
}

/** Objects of a kind (in a namespace, or all), sorted by namespace then name, as Kubernetes lists them. */
export function listObjects(state: ResourceState, kind: MeshKind, namespace?: string): MeshResource[] {
  const out: MeshResource[] = [];
  for (const o of state.objects.values()) {
    if (o.kind !== kind) continue;
    if (namespace !== undefined && (o.metadata.namespace ?? 'default') !== namespace) continue;
    out.push(o);
  }
  // Code-point order of (namespace, name), as etcd orders keys: list pages continue from a key.
  const key = (o: MeshResource) => `${o.metadata.namespace ?? ''}\u0000${o.metadata.name}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export { ApiError };
