// The control plane's REST API as a client sees it, against the real process: Kubernetes semantics
// for create, replace, conflicts, validation, errors as Status objects, auth and the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupVersions, kindsOf, resourcePath } from '../../lib/mesh-config/api-paths';
import { apiVersionOf, MESH_KINDS, PLURALS } from '../../lib/mesh-config/kinds';
import {
  API,
  type CpProcess,
  call,
  destinationRule,
  NS_PATH,
  removeDir,
  serviceEntry,
  startCp,
  weightedRoute,
} from './control-plane-helpers';

let cp: CpProcess;

beforeAll(async () => {
  cp = await startCp({ token: 's3cret-token', args: ['--on-behalf-of-users', 'ci-admin'] });
});
afterAll(async () => {
  await cp?.stop();
  if (cp) await removeDir(cp.dataDir);
});

describe('control plane REST API', () => {
  it('requires the bearer token everywhere but /healthz, answering 401 as a Status', async () => {
    expect((await fetch(`${cp.url}/healthz`)).status).toBe(200);
    for (const authorization of [undefined, 'Bearer wrong', 'Basic s3cret-token']) {
      const r = await call(
        cp,
        'GET',
        `${NS_PATH}/virtualservices`,
        undefined,
        authorization ? { authorization } : { authorization: '' },
      );
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'Unauthorized',
        code: 401,
      });
    }
    expect((await call(cp, 'GET', '/v1/prometheus/sd', undefined, { authorization: '' })).status).toBe(401);
  });

  it('creates from YAML and JSON, lists as a Kubernetes List, and refuses a duplicate', async () => {
    const yaml = [
      'apiVersion: networking.istio.io/v1',
      'kind: ServiceEntry',
      'metadata:',
      '  name: reviews',
      'spec:',
      '  hosts: [reviews.default.svc.cluster.local]',
      '  ports: [{number: 9080, name: http, protocol: HTTP}]',
      '  location: MESH_INTERNAL',
      '  resolution: STATIC',
    ].join('\n');
    const created = await call(cp, 'POST', `${NS_PATH}/serviceentries`, yaml, {
      'content-type': 'application/yaml',
    });
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ name: 'reviews', namespace: 'default', generation: 1 });
    expect(created.body.metadata.uid).toMatch(/[0-9a-f-]{36}/);
    expect(created.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const dr = await call(
      cp,
      'POST',
      `${NS_PATH}/destinationrules`,
      destinationRule('reviews', ['v1', 'v2']),
    );
    expect(dr.status).toBe(201);
    expect(Number(dr.body.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.body.metadata.resourceVersion),
    );

    const list = await call(cp, 'GET', `${NS_PATH}/serviceentries`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ kind: 'ServiceEntryList', apiVersion: 'networking.istio.io/v1' });
    expect(list.body.metadata.resourceVersion).toBe(dr.body.metadata.resourceVersion);
    expect(list.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['reviews']);
    const all = await call(cp, 'GET', `${API}/destinationrules`);
    expect(all.body.items).toHaveLength(1);

    const again = await call(cp, 'POST', `${NS_PATH}/serviceentries`, serviceEntry('reviews'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ reason: 'AlreadyExists', details: { name: 'reviews' } });
  });

  it('answers 422 Invalid naming every failing field', async () => {
    const bad = weightedRoute('reviews', { v1: 70, v3: 20 });
    (bad.spec.http[0] as Record<string, unknown>).timeout = 'soon';
    (bad.spec.http[0] as Record<string, unknown>).fault = {
      abort: { httpStatus: 700, percentage: { value: 150 } },
    };
    const r = await call(cp, 'POST', `${NS_PATH}/virtualservices`, bad);
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      code: 422,
      details: { name: 'reviews', kind: 'VirtualService' },
    });
    const fields = r.body.details.causes.map((c: { field: string }) => c.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'spec.http[0].route',
        'spec.http[0].timeout',
        'spec.http[0].fault.abort.httpStatus',
        'spec.http[0].fault.abort.percentage.value',
      ]),
    );
    const subset = await call(
      cp,
      'POST',
      `${NS_PATH}/virtualservices`,
      weightedRoute('reviews', { v1: 70, v3: 30 }),
    );
    expect(subset.status).toBe(422);
    expect(subset.body.details.causes).toEqual([
      {
        field: 'spec.http[0].route[1].destination.subset',
        message: 'subset v3 is not defined in DestinationRule reviews',
      },
    ]);
    const host = await call(cp, 'POST', `${NS_PATH}/virtualservices`, weightedRoute('ratings', { v1: 100 }));
    expect(host.body.details.causes.map((c: { field: string }) => c.field)).toContain('spec.hosts[0]');
    const name = await call(cp, 'POST', `${NS_PATH}/serviceentries`, serviceEntry('Bad_Name'));
    expect(name.status).toBe(422);
    expect(name.body.details.causes[0].field).toBe('metadata.name');
    const unknown = await call(cp, 'POST', `${NS_PATH}/serviceentries`, {
      ...serviceEntry('x'),
      spec: { ...serviceEntry('x').spec, bogus: 1 },
    });
    expect(unknown.status).toBe(422);
  });

  it('answers 400 with the parser position for broken YAML or JSON', async () => {
    const yaml = await call(cp, 'POST', `${NS_PATH}/virtualservices`, 'metadata:\n  name: x\n spec: [\n', {
      'content-type': 'application/yaml',
    });
    expect(yaml.status).toBe(400);
    expect(yaml.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    expect(yaml.body.message).toMatch(/invalid YAML at line 3, column \d+/);
    const json = await call(
      cp,
      'POST',
      `${NS_PATH}/virtualservices`,
      '{\n  "metadata": {"name": "x"},\n  "spec": {,}\n}',
    );
    expect(json.status).toBe(400);
    expect(json.body.message).toMatch(/invalid JSON at line 3, column 12/);
  });

  it('replaces only at the current resourceVersion (409 Conflict otherwise), and patches', async () => {
    const created = await call(
      cp,
      'POST',
      `${NS_PATH}/virtualservices`,
      weightedRoute('reviews', { v1: 90, v2: 10 }),
    );
    expect(created.status).toBe(201);
    const rv = created.body.metadata.resourceVersion as string;
    const path = `${NS_PATH}/virtualservices/reviews`;

    const replaced = await call(cp, 'PUT', path, weightedRoute('reviews', { v1: 50, v2: 50 }, rv));
    expect(replaced.status).toBe(200);
    expect(Number(replaced.body.metadata.resourceVersion)).toBeGreaterThan(Number(rv));
    expect(replaced.body.metadata.generation).toBe(2);

    const stale = await call(cp, 'PUT', path, weightedRoute('reviews', { v1: 10, v2: 90 }, rv));
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ reason: 'Conflict', details: { name: 'reviews' } });
    expect(stale.body.details.causes[0].field).toBe('metadata.resourceVersion');

    const missingRv = await call(cp, 'PUT', path, weightedRoute('reviews', { v1: 10, v2: 90 }));
    expect(missingRv.status).toBe(422);
    const wrongName = await call(
      cp,
      'PUT',
      `${NS_PATH}/virtualservices/other`,
      weightedRoute('reviews', { v1: 100 }, rv),
    );
    expect(wrongName.status).toBe(400);

    const patched = await call(
      cp,
      'PATCH',
      path,
      { spec: { http: [{ route: [{ destination: { host: 'reviews', subset: 'v2' }, weight: 100 }] }] } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patched.status).toBe(200);
    expect(patched.body.spec.http[0].route).toEqual([
      { destination: { host: 'reviews', subset: 'v2' }, weight: 100 },
    ]);
    const get = await call(cp, 'GET', path);
    expect(get.body).toEqual(patched.body);
  });

  it('answers 404 for unknown objects and paths, 405 for a wrong method, and deletes', async () => {
    expect((await call(cp, 'GET', `${NS_PATH}/virtualservices/nope`)).body).toMatchObject({
      reason: 'NotFound',
      code: 404,
    });
    expect((await call(cp, 'GET', `${API}/namespaces/default/workloadgroups`)).status).toBe(404);
    // Label selectors filter; a field label Kubernetes does not index for custom resources is 400.
    expect(
      (await call(cp, 'GET', `${NS_PATH}/virtualservices?labelSelector=app%3Dnobody`)).body.items,
    ).toEqual([]);
    expect(
      (await call(cp, 'GET', `${NS_PATH}/virtualservices?fieldSelector=spec.hosts%3Dreviews`)).body,
    ).toMatchObject({
      reason: 'BadRequest',
      code: 400,
      message: 'field label not supported: spec.hosts',
    });
    expect((await call(cp, 'DELETE', `${NS_PATH}/virtualservices`)).body).toMatchObject({
      reason: 'MethodNotAllowed',
      code: 405,
    });
    const inUse = await call(cp, 'DELETE', `${NS_PATH}/destinationrules/reviews`);
    expect(inUse.status).toBe(409);
    const del = await call(cp, 'DELETE', `${NS_PATH}/virtualservices/reviews`);
    expect(del.status).toBe(200);
    expect((await call(cp, 'GET', `${NS_PATH}/virtualservices/reviews`)).status).toBe(404);
    expect((await call(cp, 'DELETE', `${NS_PATH}/virtualservices/reviews`)).status).toBe(404);
  });

  it('answers Kubernetes discovery for every group, each kind under its own apiVersion', async () => {
    const groups = await call(cp, 'GET', '/apis');
    const expectedGroups = [...new Set(groupVersions().map((gv) => gv.split('/')[0]))];
    expect(groups.body.groups.map((g: { name: string }) => g.name)).toEqual(expectedGroups);
    expect(groups.body.groups[0]).toMatchObject({
      name: 'networking.istio.io',
      preferredVersion: { version: 'v1' },
    });
    const resources = await call(cp, 'GET', API);
    expect(resources.body.resources.map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining(['virtualservices', 'destinationrules', 'serviceentries', 'workloadentries']),
    );
    for (const gv of groupVersions()) {
      const list = await call(cp, 'GET', `/apis/${gv}`);
      expect(list.body.groupVersion).toBe(gv);
      expect(list.body.resources.map((r: { kind: string }) => r.kind)).toEqual(kindsOf(gv));
      expect((await call(cp, 'GET', `/apis/${gv.split('/')[0]}`)).body).toMatchObject({ kind: 'APIGroup' });
    }
    // Every kind answers a List of its own apiVersion at the path derived from it, and nowhere else.
    for (const kind of MESH_KINDS) {
      const list = await call(cp, 'GET', resourcePath(kind, 'default'));
      expect(list.status, kind).toBe(200);
      expect(list.body).toMatchObject({ kind: `${kind}List`, apiVersion: apiVersionOf(kind) });
      const elsewhere = `/apis/elsewhere.example/v1/namespaces/default/${PLURALS[kind]}`;
      expect((await call(cp, 'GET', elsewhere)).status).toBe(404);
    }
    expect((await call(cp, 'GET', '/apis/elsewhere.example/v1')).status).toBe(404);
  });

  it("refuses a body whose apiVersion is not its kind's, and names resources by their own group", async () => {
    const wrong = { ...serviceEntry('wrong-group'), apiVersion: 'security.istio.io/v1' };
    const r = await call(cp, 'POST', `${NS_PATH}/serviceentries`, wrong);
    expect(r.status).toBe(400);
    expect(r.body.message).toContain(`does not match ${apiVersionOf('ServiceEntry')}`);
    const missing = await call(cp, 'GET', `${NS_PATH}/serviceentries/nope`);
    expect(missing.body).toMatchObject({
      message: 'serviceentries.networking.istio.io "nope" not found',
      details: { group: 'networking.istio.io', kind: 'serviceentries' },
    });
  });

  it('keeps an audit log of who changed what, readable per resource, newest first', async () => {
    const dr = await call(cp, 'GET', `${NS_PATH}/destinationrules/reviews`);
    const changed = await call(
      cp,
      'PUT',
      `${NS_PATH}/destinationrules/reviews`,
      destinationRule('reviews', ['v1', 'v2', 'v3'], dr.body.metadata.resourceVersion),
      { 'x-meshlens-user': 'alice' },
    );
    expect(changed.status).toBe(200);
    const audit = await call(
      cp,
      'GET',
      '/v1/audit?kind=DestinationRule&namespace=default&name=reviews&limit=5',
    );
    expect(audit.status).toBe(200);
    const [latest, first] = audit.body.items;
    expect(latest).toMatchObject({
      who: 'alice',
      identity: 'ci-admin',
      onBehalfOf: 'alice',
      verb: 'replace',
      kind: 'DestinationRule',
      namespace: 'default',
      name: 'reviews',
      resourceVersion: changed.body.metadata.resourceVersion,
    });
    expect(latest.oldSpec.subsets).toHaveLength(2);
    expect(latest.newSpec.subsets).toHaveLength(3);
    expect(first).toMatchObject({ verb: 'create', who: 'ci-admin', oldSpec: null });
    const vsHistory = await call(cp, 'GET', '/v1/audit?kind=VirtualService&name=reviews');
    expect(vsHistory.body.items.map((e: { verb: string }) => e.verb)).toEqual([
      'delete',
      'patch',
      'replace',
      'create',
    ]);
  });
});
