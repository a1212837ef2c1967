// The egress kinds through the control plane process: Sidecar, Gateway and MeshConfig served with their
// groups, kubectl short names and watch; bad input refused with 422 and the field; a Gateway that a
// VirtualService binds to cannot be deleted from under it; a sidecar's config file with a bad Sidecar
// host does not start.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CpProcess, call, removeDir, startCp, tempDir } from './control-plane-helpers';
import { spawnAgent } from './support/processes';

const NET = '/apis/networking.istio.io/v1';
const MESH = '/apis/mesh.meshlens.io/v1alpha1';
let cp: CpProcess;

beforeAll(async () => {
  cp = await startCp();
});
afterAll(async () => {
  await cp?.stop();
  if (cp) await removeDir(cp.dataDir);
});

const gateway = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'Gateway',
  metadata: { name: 'istio-egressgateway', namespace: 'istio-system' },
  spec: {
    selector: { istio: 'egressgateway' },
    servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['db.example.com'] }],
  },
};
const externalDb = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'db', namespace: 'default' },
  spec: { hosts: ['db.example.com'], location: 'MESH_EXTERNAL', resolution: 'DNS' },
};
const egressVs = (gateways: string[]) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'db-through-egress', namespace: 'default' },
  spec: {
    hosts: ['db.example.com'],
    gateways,
    http: [
      { match: [{ gateways: ['mesh'] }], route: [{ destination: { host: 'db.example.com' } }] },
      {
        match: [{ gateways: ['istio-system/istio-egressgateway'] }],
        route: [{ destination: { host: 'db.example.com' } }],
      },
    ],
  },
});

describe('egress kinds on the control plane', () => {
  it('discovery lists gateways (gw), sidecars and the mesh config group', async () => {
    const net = await call(cp, 'GET', NET);
    const byName = new Map(net.body.resources.map((r: { name: string }) => [r.name, r]));
    expect(byName.get('gateways')).toMatchObject({ kind: 'Gateway', shortNames: ['gw'], namespaced: true });
    expect(byName.get('sidecars')).toMatchObject({ kind: 'Sidecar', shortNames: ['sidecar'] });
    const mesh = await call(cp, 'GET', MESH);
    expect(mesh.body.resources.map((r: { kind: string }) => r.kind)).toEqual(['MeshConfig']);
  });

  it('refuses a Sidecar host in a wrong form with 422 naming the field', async () => {
    const r = await call(cp, 'POST', `${NET}/namespaces/default/sidecars`, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Sidecar',
      metadata: { name: 'default' },
      spec: { egress: [{ hosts: ['./*', 'api.example.com'] }] },
    });
    expect(r.status).toBe(422);
    expect(r.body.details.causes).toEqual([
      {
        field: 'spec.egress[0].hosts[1]',
        message: 'must be of the form namespace/dnsName (e.g. ./*, istio-system/*, */api.example.com)',
      },
    ]);
  });

  it('a Gateway VirtualService: a match on mesh without mesh in gateways is 422; an unknown gateway is 422; deleting its Gateway is refused', async () => {
    expect((await call(cp, 'POST', `${NET}/namespaces/default/serviceentries`, externalDb)).status).toBe(201);
    const noMesh = await call(
      cp,
      'POST',
      `${NET}/namespaces/default/virtualservices`,
      egressVs(['istio-system/istio-egressgateway']),
    );
    expect(noMesh.status).toBe(422);
    expect(noMesh.body.details.causes[0].field).toBe('spec.http[0].match[0].gateways[0]');
    expect(noMesh.body.details.causes[0].message).toMatch(/spec\.gateways does not list mesh/);

    const vs = egressVs(['mesh', 'istio-system/istio-egressgateway']);
    const noGateway = await call(cp, 'POST', `${NET}/namespaces/default/virtualservices`, vs);
    expect(noGateway.status).toBe(422);
    expect(noGateway.body.details.causes[0]).toMatchObject({
      field: 'spec.gateways[1]',
      message: 'gateway istio-system/istio-egressgateway is not a known Gateway',
    });

    expect((await call(cp, 'POST', `${NET}/namespaces/istio-system/gateways`, gateway)).status).toBe(201);
    expect((await call(cp, 'POST', `${NET}/namespaces/default/virtualservices`, vs)).status).toBe(201);
    const del = await call(cp, 'DELETE', `${NET}/namespaces/istio-system/gateways/istio-egressgateway`);
    expect(del.status).toBe(409);
    expect(JSON.stringify(del.body)).toMatch(
      /VirtualService\/default\/db-through-egress\.spec\.gateways\[1\]/,
    );
  });

  it('MeshConfig: istio-system/default only, modes ALLOW_ANY | REGISTRY_ONLY', async () => {
    const mc = (name: string, mode: string) => ({
      apiVersion: 'mesh.meshlens.io/v1alpha1',
      kind: 'MeshConfig',
      metadata: { name },
      spec: { outboundTrafficPolicy: { mode } },
    });
    const elsewhere = await call(
      cp,
      'POST',
      `${MESH}/namespaces/default/meshconfigs`,
      mc('default', 'ALLOW_ANY'),
    );
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.details.causes[0].field).toBe('metadata.namespace');
    const badMode = await call(
      cp,
      'POST',
      `${MESH}/namespaces/istio-system/meshconfigs`,
      mc('default', 'DENY'),
    );
    expect(badMode.status).toBe(422);
    expect(badMode.body.details.causes[0].field).toBe('spec.outboundTrafficPolicy.mode');
    const ok = await call(
      cp,
      'POST',
      `${MESH}/namespaces/istio-system/meshconfigs`,
      mc('default', 'REGISTRY_ONLY'),
    );
    expect(ok.status).toBe(201);
    const got = await call(cp, 'GET', `${MESH}/namespaces/istio-system/meshconfigs/default`);
    expect(got.body.spec.outboundTrafficPolicy.mode).toBe('REGISTRY_ONLY');
  });
});

describe('static config file', () => {
  it('a sidecar does not start on a Sidecar host in a wrong form, and says which', async () => {
    const dir = await tempDir('meshlens-egress-file-');
    const file = join(dir, 'mesh.yaml');
    await writeFile(
      file,
      `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: default}
spec:
  egress: [{hosts: ["*/api.example.com", "nonsense"]}]
`,
    );
    const proc = spawnAgent([
      'sidecar',
      '--service',
      'ratings',
      '--config',
      file,
      '--admin-port',
      '0',
      '--inbound-port',
      '0',
      '--outbound-port',
      '0',
    ]);
    const code = await new Promise<number | null>((resolve) => proc.child.once('close', resolve));
    expect(code).not.toBe(0);
    expect(proc.output()).toMatch(
      /Sidecar\/default\): spec\.egress\[0\]\.hosts\[1\]: must be of the form namespace\/dnsName/,
    );
    await removeDir(dir);
  });
});
