// Istio Config against the running demo: the list and its filters, a resource's editor with inline
// errors, save after a diff, a concurrent change met as a 409 and re-based, delete and create — and no
// serious accessibility violation on the pages, light or dark.
import { toYaml } from '../lib/istio-config/yaml-text';
import { MeshConfigClient } from '../lib/mesh-config/client';
import type { MeshResource, ServiceEntry, VirtualService } from '../lib/mesh-config/schema';
import { IstioConfigPage } from './pages/istio-config-page';
import { expectAccessible } from './support/axe';
import { expect, test } from './support/test';

test.describe.configure({ mode: 'serial' });

const NS = 'bookinfo';
const NAME = 'e2e-istio';
const CREATED = 'e2e-istio-created';
const HOST = 'e2e-istio.example.com';
const V = 'networking.istio.io/v1' as const;

// An external host nobody calls: the specs' resources change no demo traffic.
const serviceEntry: ServiceEntry = {
  apiVersion: V,
  kind: 'ServiceEntry',
  metadata: { name: NAME, namespace: NS },
  spec: {
    hosts: [HOST],
    location: 'MESH_EXTERNAL',
    resolution: 'DNS',
    ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
  },
};
const virtualService: VirtualService = {
  apiVersion: V,
  kind: 'VirtualService',
  metadata: { name: NAME, namespace: NS },
  spec: { hosts: [HOST], http: [{ route: [{ destination: { host: HOST } }], timeout: '10s' }] },
};

const client = (demo: { controlPlane: string; token: string }) =>
  new MeshConfigClient({ baseUrl: demo.controlPlane, token: demo.token });

async function clean(cp: MeshConfigClient) {
  for (const [kind, name] of [
    ['VirtualService', NAME],
    ['VirtualService', CREATED],
    ['ServiceEntry', NAME],
  ] as const)
    await cp.delete(kind, NS, name);
}

test.beforeAll(async ({ demo }) => {
  const cp = client(demo);
  await clean(cp);
  for (const r of [serviceEntry, virtualService] as MeshResource[]) {
    const created = await cp.create(r);
    if (!created.ok) throw new Error(`cannot create ${r.kind} ${r.metadata.name}: ${created.message}`);
  }
});

test.afterAll(async ({ demo }) => {
  await clean(client(demo));
});

/** The resource with its one route changed: destination, weight and timeout. */
function withRoute(
  vs: VirtualService,
  route: { subset?: string; weight?: number; timeout?: string },
): VirtualService {
  const destination = { host: HOST, ...(route.subset ? { subset: route.subset } : {}) };
  const http = [
    {
      route: [{ destination, ...(route.weight === undefined ? {} : { weight: route.weight }) }],
      timeout: route.timeout ?? '10s',
    },
  ];
  return { ...vs, spec: { ...vs.spec, http } };
}

test('lists every kind with validity, filters by kind in the URL', async ({ page }, testInfo) => {
  const p = new IstioConfigPage(page);
  await p.openList(`?namespace=${NS}`);
  await expect(p.row('VirtualService', NAME)).toContainText('Valid');
  await expect(p.row('DestinationRule', 'reviews')).toBeVisible();
  await p.filter('Kind').selectOption('ServiceEntry');
  await expect(page).toHaveURL(/kind=ServiceEntry/);
  await expect(p.row('ServiceEntry', NAME)).toBeVisible();
  await expect(p.row('VirtualService', NAME)).toHaveCount(0);
  await expectAccessible(page, 'the list filtered by kind', testInfo);
});

test('opens a resource, shows inline errors as it is edited, and saves after a diff', async ({
  page,
  demo,
}, testInfo) => {
  const p = new IstioConfigPage(page);
  await p.openList(`?namespace=${NS}&kind=VirtualService`);
  await p.row('VirtualService', NAME).getByRole('link', { name: NAME }).click();
  await expect(page).toHaveURL(new RegExp(`/namespaces/${NS}/istio/virtualservices/${NAME}$`));
  await p.editor.waitFor();
  const loaded = await client(demo).get<VirtualService>('VirtualService', NS, NAME);
  if (!loaded.ok) throw new Error(loaded.message);
  // A route to a subset no DestinationRule defines: Kiali's KIA1107, a warning at the subset.
  await p.setYaml(toYaml(withRoute(loaded.value, { subset: 'v9' })));
  await expect(p.lintMarks('warning')).toHaveCount(1);
  // A weight over 100: the schema's error, at the field.
  await p.setYaml(toYaml(withRoute(loaded.value, { weight: 150 })));
  await expect(p.lintMarks('error')).toHaveCount(1);
  // Esc leaves the editor for the Save button: the editor is no keyboard trap.
  await p.editor.focus();
  await page.keyboard.press('Escape');
  await expect(p.button('Review and save')).toBeFocused();
  await p.setYaml(toYaml(withRoute(loaded.value, { timeout: '5s' })));
  await p.review();
  await expectAccessible(page, 'the diff before save', testInfo);
  await p.confirmSave();
  await expect(p.saved).toBeVisible();
  const after = await client(demo).get<VirtualService>('VirtualService', NS, NAME);
  expect(after.ok && after.value.spec.http?.[0]?.timeout).toBe('5s');
});

test('a concurrent change is met as a conflict with both versions, and my edit re-bases on it', async ({
  page,
  demo,
}, testInfo) => {
  const p = new IstioConfigPage(page);
  await p.openDetail(NS, 'virtualservices', NAME);
  const cp = client(demo);
  const loaded = await cp.get<VirtualService>('VirtualService', NS, NAME);
  if (!loaded.ok) throw new Error(loaded.message);
  await p.setYaml(toYaml(withRoute(loaded.value, { timeout: '7s' })));
  // Someone else changes the resource between my load and my save.
  const theirs = await cp.replace({
    ...loaded.value,
    metadata: { ...loaded.value.metadata, labels: { changed: 'by-someone-else' } },
  });
  if (!theirs.ok) throw new Error(theirs.message);
  await p.reviewAndSave();
  await expect(p.conflict).toContainText('changed on the server');
  await expect(p.conflict.getByTestId('diff-view')).toContainText('by-someone-else');
  await expectAccessible(page, 'the 409 conflict panel', testInfo);
  await p.button('Re-base my edit on the server’s version').click();
  await expect.poll(() => p.yaml()).toContain('by-someone-else');
  expect(await p.yaml()).toContain('timeout: 7s');
  await p.reviewAndSave();
  await expect(p.saved).toBeVisible();
  const after = await cp.get<VirtualService>('VirtualService', NS, NAME);
  if (!after.ok) throw new Error(after.message);
  expect(after.value.metadata.labels).toEqual({ changed: 'by-someone-else' });
  expect(after.value.spec.http?.[0]?.timeout).toBe('7s');
});

test('creates a resource after a confirmation, then deletes it after another', async ({
  page,
  demo,
}, testInfo) => {
  const p = new IstioConfigPage(page);
  await page.goto(`/istio/new?namespace=${NS}`);
  await p.editor.waitFor();
  const fresh = { ...virtualService, metadata: { name: CREATED, namespace: NS } };
  await p.setYaml(toYaml(fresh));
  await p.button('Create…').click();
  await expect(p.dialog).toBeVisible();
  await expectAccessible(page, 'the create confirmation', testInfo);
  await p.dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/namespaces/${NS}/istio/virtualservices/${CREATED}$`));
  // Two VirtualServices for one host now: Kiali's KIA1106 shows on the new one.
  await expect(page.getByRole('list', { name: 'Findings' })).toContainText('KIA1106');
  await p.button('Delete').click();
  await expect(p.dialog).toBeVisible();
  await expectAccessible(page, 'the delete confirmation', testInfo);
  await p.dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/istio\\?namespace=${NS}$`));
  const gone = await client(demo).get('VirtualService', NS, CREATED);
  expect(gone.ok ? 200 : gone.status).toBe(404);
});
