// The Overview, the Applications/Workloads/Services lists and the detail pages against the running demo,
// and the old /services/{name} links' permanent redirect.
import { DetailPage, ListPage, OverviewPage, ProxyTab } from './pages/inventory-pages';
import { expect, test } from './support/test';

test('/ opens the Overview; the bookinfo card counts its items and opens its graph', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/overview$/);
  const overview = new OverviewPage(page);
  const card = overview.card('bookinfo');
  await expect(card).toContainText(/\d+ apps/);
  await expect(card).toContainText(/\d+ workloads/);
  await expect(card).toContainText(/Inbound: [\d.]+ rps/, { timeout: 30_000 });
  await expect(card).toContainText(/Istio configs?/);
  await card.getByRole('link', { name: 'bookinfo', exact: true }).click();
  await expect(page).toHaveURL(/\/graph\?namespaces=bookinfo/);
});

test('the Overview has a table mode', async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.open('view=table');
  await expect(overview.table().getByRole('rowheader', { name: 'bookinfo' })).toBeVisible();
});

test('the Workloads list shows health, labels and sidecar; filters by label and sorts, in the URL', async ({
  page,
}) => {
  const list = new ListPage(page);
  await list.open('workloads');
  const row = list.row('reviews-v2');
  await expect(row).toContainText('version=v2');
  await expect(row).toContainText(/Healthy|Degraded|Failure|No traffic/);
  await expect(row).toContainText(/Sidecar reports|Missing sidecar|Not known/);
  await list.filterLabel('version=v2');
  await expect(page).toHaveURL(/label=version%3Dv2/);
  await expect.poll(() => list.names()).toEqual(['reviews-v2']);
  await page.goto('/workloads?namespaces=bookinfo&sort=name&dir=desc');
  await expect.poll(async () => (await list.names()).length).toBeGreaterThan(2);
  const names = await list.names();
  expect(names).toEqual([...names].sort().reverse());
});

test('the Services list shows the config that applies to reviews', async ({ page }) => {
  const list = new ListPage(page);
  await list.open('services', 'namespaces=bookinfo');
  const row = list.row('reviews');
  await expect(row.getByRole('link', { name: /^VirtualService bookinfo\/reviews/ })).toBeVisible();
  await expect(row.getByRole('link', { name: /^DestinationRule bookinfo\/reviews/ })).toBeVisible();
  await row.getByRole('link', { name: 'reviews', exact: true }).click();
  await expect(page).toHaveURL(/\/namespaces\/bookinfo\/services\/reviews$/);
});

test('the Applications list groups the versions of reviews', async ({ page }) => {
  const list = new ListPage(page);
  await list.open('applications', 'namespaces=bookinfo');
  await expect(list.row('reviews')).toContainText(/version=v1,v2,v3/);
});

test("a workload's tabs: overview, traffic, inbound and outbound metrics, traces", async ({ page }) => {
  const d = new DetailPage(page);
  await d.open('workloads', 'bookinfo', 'reviews-v2');
  await expect(d.section('Labels')).toContainText('app=reviews');
  await expect(d.section('Istio config')).toContainText('DestinationRule bookinfo/reviews');
  await expect(d.section('Instances')).toContainText(/reviews-v2-\S+ at /);
  // The mini-graph: reviews-v2 with its caller and callee (through their services), drawn read-only.
  await expect(d.miniGraph()).toHaveAttribute('data-layout', 'ready', { timeout: 30_000 });
  await expect(d.miniGraph()).toHaveAccessibleName(
    /^Graph of reviews-v2 and its neighbours: ([3-9]|\d{2,}) nodes/,
  );
  await expect(
    d.section('Neighbours').getByRole('link', { name: 'Open the graph focused on reviews-v2' }),
  ).toHaveAttribute('href', /focus=wl%3Abookinfo%3Areviews-v2/);
  await d.tab('Traffic').click();
  await expect(d.table('Inbound').getByRole('link', { name: /productpage-v1/ })).toBeVisible({
    timeout: 30_000,
  });
  await expect(d.table('Outbound').getByRole('link', { name: /ratings/ })).toBeVisible();
  await d.tab('Inbound metrics').click();
  await expect(page.getByText('Request duration p95 (ms)')).toBeVisible();
  await page.getByLabel('Group by').selectOption('version');
  await expect(page).toHaveURL(/by=version/);
  await d.tab('Outbound metrics').click();
  await expect(page.getByText('Request volume (requests/s)')).toBeVisible();
  await d.tab('Traces').click();
  await expect(d.section('Failing traces')).toBeVisible();
  await expect(d.section('All traces')).toContainText(/trace|No traces/, { timeout: 30_000 });
});

test("a workload's Proxy tab: routes, clusters with endpoints, listeners, certificates, the access log linked to traces", async ({
  page,
}) => {
  const proxy = new ProxyTab(page);
  await proxy.open('bookinfo', 'productpage-v1');
  const routes = proxy.table(/^Routes \(\d+\)$/);
  await expect(routes).toContainText('reviews.bookinfo.svc.cluster.local:9080', { timeout: 30_000 });
  await expect(routes).toContainText(/outbound\|9080\|v\d\|reviews\.bookinfo\.svc\.cluster\.local/);
  await proxy.show('Clusters');
  const clusters = proxy.table(/^Clusters \(\d+\)$/);
  const reviews = clusters.getByRole('rowheader', {
    name: 'outbound|9080|v1|reviews.bookinfo.svc.cluster.local',
  });
  await expect(reviews).toBeVisible();
  await expect(
    clusters.locator('tbody').filter({
      has: page.getByRole('rowheader', { name: 'outbound|9080|v1|reviews.bookinfo.svc.cluster.local' }),
    }),
  ).toContainText(/\d+ of \d+ healthy/);
  await expect(clusters.locator('tr[data-endpoint]').first()).toContainText(/healthy|ejected|unhealthy/);
  await proxy.show('Listeners');
  await expect(proxy.table(/^Listeners/)).toContainText('virtualInbound');
  await expect(proxy.table(/^Listeners/)).toContainText('Route: 9080');
  await proxy.show('Certificates');
  await expect(proxy.table('Certificates')).toContainText(/spiffe:\/\/cluster\.local\/ns\/bookinfo\/sa\/\S+/);
  await expect(proxy.table('Certificates')).toContainText('ROOTCA');
  await expect(proxy.table('Certificates')).toContainText(/\d+ h \d+ min|\d+ min/);
  await proxy.show('Access log');
  await expect(page).toHaveURL(/view=log/);
  const log = proxy.table('Access log');
  await expect(log.getByRole('row').nth(1)).toBeVisible({ timeout: 30_000 });
  await expect(log).toContainText(/GET .*HTTP\/1\.1/);
  const trace = log.getByRole('link', { name: /^Trace [0-9a-f]{8}$/ }).first();
  await expect(trace).toBeVisible();
  await trace.click();
  await expect(page).toHaveURL(/\/traces\/[0-9a-f]{16,32}$/);
});

test("a service's Traffic shifting tab is the canary editor; an application's traffic lists its peers", async ({
  page,
}) => {
  const d = new DetailPage(page);
  await d.open('services', 'bookinfo', 'reviews', 'traffic-shifting');
  await expect(page.getByRole('slider', { name: 'v3 weight' })).toBeVisible();
  await d.open('applications', 'bookinfo', 'productpage', 'traffic');
  await expect(d.table('Outbound').getByRole('link', { name: /reviews/ })).toBeVisible({ timeout: 30_000 });
});

test('old /services/{name} links redirect permanently to the Traffic shifting tab', async ({ request }) => {
  const withNs = await request.get('/services/reviews?namespace=bookinfo', { maxRedirects: 0 });
  expect(withNs.status()).toBe(308);
  expect(withNs.headers().location).toBe('/namespaces/bookinfo/services/reviews?tab=traffic-shifting');
  const without = await request.get('/services/reviews', { maxRedirects: 0 });
  expect(without.status()).toBe(308);
  expect(without.headers().location).toBe('/namespaces/bookinfo/services/reviews?tab=traffic-shifting');
});
