// The live service graph against the running demo: every Bookinfo node and edge is drawn; the reviews
// service shows an endpoint ejected by outlier detection; the edge into ratings shows retries and 5xx.
import { GraphPage } from './pages/graph-page';
import { expect, test } from './support/test';

const NODES = [
  'svc:bookinfo:productpage',
  'app:bookinfo:productpage:v1',
  'svc:bookinfo:details',
  'app:bookinfo:details:v1',
  'svc:bookinfo:reviews',
  'app:bookinfo:reviews:v1',
  'app:bookinfo:reviews:v2',
  'app:bookinfo:reviews:v3',
  'svc:bookinfo:ratings',
  'app:bookinfo:ratings:v1',
];
const EDGES = [
  'svc:bookinfo:productpage->app:bookinfo:productpage:v1',
  'app:bookinfo:productpage:v1->svc:bookinfo:details',
  'svc:bookinfo:details->app:bookinfo:details:v1',
  'app:bookinfo:productpage:v1->svc:bookinfo:reviews',
  'svc:bookinfo:reviews->app:bookinfo:reviews:v1',
  'svc:bookinfo:reviews->app:bookinfo:reviews:v2',
  'svc:bookinfo:reviews->app:bookinfo:reviews:v3',
  'app:bookinfo:reviews:v2->svc:bookinfo:ratings',
  'app:bookinfo:reviews:v3->svc:bookinfo:ratings',
  'svc:bookinfo:ratings->app:bookinfo:ratings:v1',
];

test('the graph shows every Bookinfo node and edge', async ({ page }) => {
  const graph = new GraphPage(page);
  await graph.open();
  await graph.expectDrawn(NODES, EDGES);
  await expect(page.getByRole('img', { name: /Service graph: \d+ nodes/ })).toBeVisible();
});

test('the reviews service shows an endpoint ejected by outlier detection', async ({ page }) => {
  const graph = new GraphPage(page);
  await graph.open();
  await graph.expectDrawn(['svc:bookinfo:reviews'], []);
  await graph.selectNode('svc:bookinfo:reviews');
  await expect(graph.panel.getByRole('heading', { name: 'service reviews' })).toBeVisible();
  await expect(graph.panel.getByText(/circuit breaker: outlier detection/)).toBeVisible();
  // The flaky replica is ejected and readmitted over and over; the panel polls with the graph.
  await expect(graph.endpointRows().filter({ hasText: 'ejected' }).first()).toBeVisible({ timeout: 90_000 });
});

test('the edge into ratings shows retries and a 5xx share', async ({ page }) => {
  const graph = new GraphPage(page);
  await graph.open();
  await graph.expectDrawn(['svc:bookinfo:ratings'], []);
  const edge = await graph.expectWorstEdgeInto('svc:bookinfo:ratings', 'app:bookinfo:reviews');
  await graph.selectEdge(edge);
  await expect(graph.panel.getByRole('heading', { name: /→ service ratings/ })).toBeVisible();
  const codes = graph.panel.getByRole('table', { name: 'Response codes and flags' });
  await expect(
    codes
      .getByRole('row')
      .filter({ hasText: /^5\d\d/ })
      .first(),
  ).toBeVisible({ timeout: 60_000 });
  await expect(
    graph.panel.getByRole('region', { name: 'Retries' }).getByText(/^Retries to ratings\./),
  ).toBeVisible({
    timeout: 60_000,
  });
});
