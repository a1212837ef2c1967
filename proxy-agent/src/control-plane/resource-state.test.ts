import { describe, expect, it } from 'vitest';
import { applyMutation, emptyState, type Mutation, type ResourceState } from './resource-state';
import { ApiError } from './status';

const ctx = () => {
  let n = 0;
  return { now: new Date('2026-01-02T03:04:05.678Z'), newUid: () => `uid-${++n}` };
};

const serviceEntry = (name: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name },
  spec: { hosts: [`${name}.default.svc.cluster.local`], location: 'MESH_INTERNAL', resolution: 'STATIC' },
});
const destinationRule = (subsets: string[], resourceVersion?: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'reviews', ...(resourceVersion ? { resourceVersion } : {}) },
  spec: { host: 'reviews', subsets: subsets.map((s) => ({ name: s, labels: { version: s } })) },
});
const virtualService = (weights: [string, number][], resourceVersion?: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', ...(resourceVersion ? { resourceVersion } : {}) },
  spec: {
    hosts: ['reviews'],
    http: [
      { route: weights.map(([subset, weight]) => ({ destination: { host: 'reviews', subset }, weight })) },
    ],
  },
});

function apply(state: ResourceState, m: Mutation) {
  return applyMutation(state, m, ctx());
}

function refusal(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

function seeded(): ResourceState {
  const s = emptyState();
  apply(s, { verb: 'create', kind: 'ServiceEntry', namespace: 'default', body: serviceEntry('reviews') });
  apply(s, {
    verb: 'create',
    kind: 'DestinationRule',
    namespace: 'default',
    body: destinationRule(['v1', 'v2']),
  });
  return s;
}

describe('applyMutation', () => {
  it('sets the server-owned metadata on create and counts one global resourceVersion', () => {
    const s = seeded();
    const c = apply(s, {
      verb: 'create',
      kind: 'VirtualService',
      namespace: 'default',
      body: virtualService([['v1', 100]]),
    });
    expect(c.type).toBe('ADDED');
    expect(c.object.metadata).toMatchObject({
      name: 'reviews',
      namespace: 'default',
      resourceVersion: '3',
      generation: 1,
      creationTimestamp: '2026-01-02T03:04:05Z',
    });
    expect(c.object.metadata.uid).toMatch(/^uid-/);
    expect(s.resourceVersion).toBe(3);
  });

  it('refuses a second create of the same name with AlreadyExists', () => {
    const s = seeded();
    const e = refusal(() =>
      apply(s, { verb: 'create', kind: 'ServiceEntry', namespace: 'default', body: serviceEntry('reviews') }),
    );
    expect([e.code, e.reason]).toEqual([409, 'AlreadyExists']);
    expect(s.resourceVersion).toBe(2);
  });

  it('replaces only at the current resourceVersion, bumping generation only when the spec changes', () => {
    const s = seeded();
    const stale = refusal(() =>
      apply(s, {
        verb: 'replace',
        kind: 'DestinationRule',
        namespace: 'default',
        name: 'reviews',
        body: destinationRule(['v1', 'v2', 'v3'], '1'),
      }),
    );
    expect([stale.code, stale.reason]).toEqual([409, 'Conflict']);
    expect(stale.details?.causes?.[0]?.field).toBe('metadata.resourceVersion');

    const same = apply(s, {
      verb: 'replace',
      kind: 'DestinationRule',
      namespace: 'default',
      name: 'reviews',
      body: destinationRule(['v1', 'v2'], '2'),
    });
    expect(same.object.metadata).toMatchObject({ resourceVersion: '3', generation: 1, uid: 'uid-1' });
    const changed = apply(s, {
      verb: 'replace',
      kind: 'DestinationRule',
      namespace: 'default',
      name: 'reviews',
      body: destinationRule(['v1', 'v2', 'v3'], '3'),
    });
    expect(changed.object.metadata).toMatchObject({ resourceVersion: '4', generation: 2 });
  });

  it('requires the name in the body to match the URL', () => {
    const e = refusal(() =>
      apply(seeded(), {
        verb: 'replace',
        kind: 'DestinationRule',
        namespace: 'default',
        name: 'ratings',
        body: destinationRule(['v1'], '2'),
      }),
    );
    expect([e.code, e.reason]).toEqual([400, 'BadRequest']);
  });

  it('names every failing field of an invalid object, structural and cross-resource', () => {
    const e = refusal(() =>
      apply(seeded(), {
        verb: 'create',
        kind: 'VirtualService',
        namespace: 'default',
        body: virtualService([
          ['v1', 50],
          ['v9', 40],
        ]),
      }),
    );
    expect([e.code, e.reason]).toEqual([422, 'Invalid']);
    expect(e.details?.causes?.map((c) => c.field)).toEqual(['spec.http[0].route']);
    const missing = refusal(() =>
      apply(seeded(), {
        verb: 'create',
        kind: 'VirtualService',
        namespace: 'default',
        body: virtualService([
          ['v1', 50],
          ['v9', 50],
        ]),
      }),
    );
    expect(missing.details?.causes).toEqual([
      {
        field: 'spec.http[0].route[1].destination.subset',
        message: 'subset v9 is not defined in DestinationRule reviews',
      },
    ]);
  });

  it('refuses a change that would break another resource, naming it', () => {
    const s = seeded();
    apply(s, {
      verb: 'create',
      kind: 'VirtualService',
      namespace: 'default',
      body: virtualService([
        ['v1', 50],
        ['v2', 50],
      ]),
    });
    const e = refusal(() =>
      apply(s, {
        verb: 'replace',
        kind: 'DestinationRule',
        namespace: 'default',
        name: 'reviews',
        body: destinationRule(['v1'], '2'),
      }),
    );
    expect(e.code).toBe(422);
    expect(e.details?.causes?.[0]?.field).toBe(
      'VirtualService/default/reviews.spec.http[0].route[1].destination.subset',
    );
    const del = refusal(() =>
      apply(s, { verb: 'delete', kind: 'ServiceEntry', namespace: 'default', name: 'reviews' }),
    );
    expect([del.code, del.reason]).toEqual([409, 'Conflict']);
  });

  it('deletes with a new resourceVersion, and answers NotFound after', () => {
    const s = seeded();
    const c = apply(s, { verb: 'delete', kind: 'DestinationRule', namespace: 'default', name: 'reviews' });
    expect(c.type).toBe('DELETED');
    expect(c.object.metadata.resourceVersion).toBe('3');
    expect(s.resourceVersion).toBe(3);
    const e = refusal(() =>
      apply(s, { verb: 'delete', kind: 'DestinationRule', namespace: 'default', name: 'reviews' }),
    );
    expect([e.code, e.reason]).toEqual([404, 'NotFound']);
  });

  it('merge-patches a weight without a resourceVersion', () => {
    const s = seeded();
    apply(s, {
      verb: 'create',
      kind: 'VirtualService',
      namespace: 'default',
      body: virtualService([['v1', 100]]),
    });
    const c = apply(s, {
      verb: 'patch',
      kind: 'VirtualService',
      namespace: 'default',
      name: 'reviews',
      patch: {
        metadata: { labels: { team: 'books' } },
        spec: { hosts: ['reviews.default.svc.cluster.local'] },
      },
    });
    expect(c.object.metadata.labels).toEqual({ team: 'books' });
    expect(c.object.spec).toMatchObject({ hosts: ['reviews.default.svc.cluster.local'] });
    expect(c.object.metadata.generation).toBe(2);
  });

  it('ignores status and server fields sent by a client, and keeps the status on replace', () => {
    const s = seeded();
    const we = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'WorkloadEntry',
      metadata: { name: 'reviews-v1', uid: 'forged', generation: 9 },
      spec: { address: '127.0.0.1', ports: { http: 9080 } },
      status: { conditions: [{ type: 'Healthy', status: 'False' }] },
    };
    const created = apply(s, { verb: 'create', kind: 'WorkloadEntry', namespace: 'default', body: we });
    expect(created.object.status).toBeUndefined();
    expect(created.object.metadata.uid).not.toBe('forged');
    apply(s, {
      verb: 'status',
      kind: 'WorkloadEntry',
      namespace: 'default',
      name: 'reviews-v1',
      status: { conditions: [{ type: 'Healthy', status: 'False' }] },
    });
    const replaced = apply(s, {
      verb: 'replace',
      kind: 'WorkloadEntry',
      namespace: 'default',
      name: 'reviews-v1',
      body: { ...we, metadata: { name: 'reviews-v1', resourceVersion: '4' } },
    });
    expect(replaced.object.status?.conditions?.[0]?.status).toBe('False');
  });
});
