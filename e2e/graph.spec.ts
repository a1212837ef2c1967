// The live service graph against the running demo: every Bookinfo node and edge is drawn; the reviews
// service shows an endpoint ejected by outlier detection; the edge into ratings (gRPC) shows retries and
// its failed calls (gRPC statuses in words: 14 UNAVAILABLE on HTTP 200); mTLS locks and
// the legacy client's plaintext edge; the gRPC and TCP edges and the traffic selector.

import { request as httpRequest } from 'node:http';
import type { Page } from '@playwright/test';
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

/** Bookinfo's database hop: ratings reads the store over TCP (through both sidecars, over mTLS). */
const TCP_NODES = ['svc:bookinfo:mongodb', 'app:bookinfo:mongodb:v1'];
const TCP_EDGES = [
  'app:bookinfo:ratings:v1->svc:bookinfo:mongodb',
  'svc:bookinfo:mongodb->app:bookinfo:mongodb:v1',
];

test('the graph shows every Bookinfo node and edge', async ({ page }) => {
  const graph = new GraphPage(page);
  await graph.open();
  await graph.expectDrawn([...NODES, ...TCP_NODES], [...EDGES, ...TCP_EDGES]);
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

test('the edge into ratings (gRPC) shows retries and its failed calls', async ({ page }) => {
  const graph = new GraphPage(page);
  await graph.open();
  await graph.expectDrawn(['svc:bookinfo:ratings'], []);
  const edge = await graph.expectWorstEdgeInto('svc:bookinfo:ratings', 'app:bookinfo:reviews');
  await graph.selectEdge(edge);
  await expect(graph.panel.getByRole('heading', { name: /→ service ratings/ })).toBeVisible();
  const codes = graph.panel.getByRole('table', { name: 'Response codes and flags' });
  // Injected aborts and exhausted retries reach reviews as a gRPC status (on HTTP 200), shown in words.
  await expect(
    codes
      .getByRole('row')
      .filter({ hasText: /^14 UNAVAILABLE/ })
      .first(),
  ).toBeVisible({ timeout: 60_000 });
  await expect(
    graph.panel.getByRole('region', { name: 'Retries' }).getByText(/^Retries to ratings\./),
  ).toBeVisible({
    timeout: 60_000,
  });
});

test('mTLS: the lock on Bookinfo edges, none on the legacy client’s plaintext edge, which stands out', async ({
  page,
}) => {
  const graph = new GraphPage(page);
  await graph.open();
  const mtls = 'app:bookinfo:productpage:v1->svc:bookinfo:details';
  // The legacy client has no sidecar: the destination reports it as unknown, in plaintext.
  const legacy = 'unknown->svc:bookinfo:details';
  await graph.expectEdgeClass(mtls, 'mtls');
  await graph.expectEdgeClass(legacy, 'plaintext');
  expect((await graph.edgeInfo(legacy))?.classes).not.toContain('mtls');
  expect((await graph.edgeInfo(mtls))?.label).toMatch(/^mTLS /);
  // Bookinfo runs under a mesh-wide STRICT policy: its namespace badge says so.
  await expect(page.locator('[data-testid="namespace-mtls"][data-namespace="bookinfo"]')).toHaveAttribute(
    'data-mode',
    'STRICT',
  );
  await graph.selectEdge(legacy);
  await expect(graph.panel.getByTestId('edge-mtls-warning')).toContainText(
    /plaintext into a PERMISSIVE workload/,
  );
  await graph.selectEdge(mtls);
  await expect(graph.panel.getByTestId('edge-mtls')).toContainText('All requests over mutual TLS');
  await expect(graph.panel.getByTestId('dest-principal')).toHaveText(
    /^spiffe:\/\/cluster\.local\/ns\/bookinfo\/sa\//,
  );
});

test('protocols: the gRPC edge into ratings by status, the TCP edge to the store in bytes/s, and the selector', async ({
  page,
}) => {
  const graph = new GraphPage(page);
  await graph.open();
  const grpc = 'app:bookinfo:reviews:v2->svc:bookinfo:ratings';
  const tcp = 'app:bookinfo:ratings:v1->svc:bookinfo:mongodb';
  await graph.expectEdgeClass(grpc, 'grpc');
  await graph.expectEdgeClass(tcp, 'tcp');
  expect((await graph.edgeInfo(tcp))?.label).toMatch(/B\/s/);
  await graph.selectEdge(tcp);
  await expect(graph.panel.getByTestId('drilldown-tcp')).toBeVisible({ timeout: 60_000 });
  // The traffic selector, as a URL parameter: TCP only leaves the gRPC edge out.
  await graph.open('duration=5m&refresh=5&traffic=tcp');
  await graph.expectEdgeClass(tcp, 'tcp');
  expect(await graph.edgeInfo(grpc)).toBeUndefined();
});

test('focus on a node and one hop dims the rest, from the URL and from the control', async ({ page }) => {
  const graph = new GraphPage(page);
  await graph.open('duration=5m&refresh=5&focus=app:bookinfo:ratings:v1&hops=1');
  await graph.expectDrawn(['app:bookinfo:ratings:v1', 'svc:bookinfo:ratings', 'app:bookinfo:details:v1'], []);
  await expect.poll(() => graph.isDimmed('svc:bookinfo:ratings')).toBe(false);
  await expect.poll(() => graph.isDimmed('app:bookinfo:details:v1')).toBe(true);
  await page.getByRole('button', { name: 'Show the whole graph again' }).click();
  await expect.poll(() => graph.isDimmed('app:bookinfo:details:v1')).toBe(false);
  // The control: find the node by name, then focus on it with two hops.
  // A text box with suggestions (a datalist) is a combobox.
  const find = page.getByRole('combobox', { name: 'Find node' });
  await find.fill('service details');
  await find.press('Enter');
  await expect(page).toHaveURL(/selected=svc%3Abookinfo%3Adetails/);
  await page.getByRole('combobox', { name: 'Hops' }).selectOption('1');
  await page.getByRole('button', { name: /Focus on the selected node/ }).click();
  await expect(page).toHaveURL(/focus=svc%3Abookinfo%3Adetails&hops=1/);
  await expect.poll(() => graph.isDimmed('app:bookinfo:details:v1')).toBe(false);
  await expect.poll(() => graph.isDimmed('app:bookinfo:ratings:v1')).toBe(true);
});

test('the graph exports as PNG, SVG with its nodes, and JSON', async ({ page }) => {
  const graph = new GraphPage(page);
  await graph.open('duration=5m&refresh=0');
  await graph.expectDrawn(NODES, []);
  await graph.expectLaidOut();
  const png = await graph.export('PNG');
  expect(png.name).toMatch(/\.png$/);
  expect(png.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(png.bytes.length).toBeGreaterThan(2_000);
  const svg = await graph.export('SVG');
  const text = svg.bytes.toString('utf8');
  expect(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  for (const id of NODES) expect(text).toContain(`data-id="${id}"`);
  expect(text).toContain('>Legend<');
  const json = JSON.parse((await graph.export('JSON')).bytes.toString('utf8'));
  expect(json.elements.nodes.map((n: { data: { id: string } }) => n.data.id)).toEqual(
    expect.arrayContaining(NODES),
  );
});

test('the graph API answers a client on this machine uncompressed, even when it asks for gzip', async ({
  demo,
}) => {
  // On loopback the bytes cost nothing and gzip costs the server's CPU (40-90 ms a request at 1,000 workloads).
  const port = new URL(demo.dashboard).port;
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
    const answer = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>(
      (resolve, reject) => {
        const req = httpRequest(
          `${demo.dashboard}/api/graph?namespaces=bookinfo&duration=5m`,
          { headers: { host, 'accept-encoding': 'gzip, deflate, br' } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end();
      },
    );
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(String(answer.headers['cache-control'])).toContain('no-transform');
    const graph = JSON.parse(answer.body.toString('utf8')) as {
      elements: { nodes: { data: { id: string } }[] };
    };
    expect(graph.elements.nodes.map((n) => n.data.id)).toEqual(expect.arrayContaining(NODES));
  }
});

test('a dragged node keeps its place across a reload, until the layout is reset', async ({ page }) => {
  const graph = new GraphPage(page);
  const id = 'app:bookinfo:details:v1';
  await graph.open('duration=5m&refresh=0');
  await graph.expectDrawn(NODES, []);
  await graph.expectLaidOut();
  const before = await graph.position(id);
  await graph.dragNode(id, 60, 40);
  const dropped = (await graph.position(id)).model;
  expect(Math.hypot(dropped.x - before.model.x, dropped.y - before.model.y)).toBeGreaterThan(10);
  await page.reload();
  await graph.expectDrawn([id], []);
  await graph.expectLaidOut();
  const after = (await graph.position(id)).model;
  expect(Math.abs(after.x - dropped.x)).toBeLessThanOrEqual(1);
  expect(Math.abs(after.y - dropped.y)).toBeLessThanOrEqual(1);
  await page.getByRole('button', { name: /Forget dragged node positions/ }).click();
  await graph.expectLaidOut();
  await expect.poll(async () => (await graph.position(id)).model.x).not.toBe(after.x);
});

/** Nodes whose rendered box (without labels) lies outside the canvas as it is shown (not as cytoscape cached it). */
function nodesOutsideCanvas(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type Box = { x1: number; y1: number; x2: number; y2: number };
    type N = { id(): string; renderedBoundingBox(o: object): Box };
    const cy = (window as unknown as { __meshlensCy: { nodes(): N[] } }).__meshlensCy;
    const canvas = document.querySelector('[data-testid="graph-canvas"]') as HTMLElement;
    const { clientWidth: w, clientHeight: h } = canvas;
    return cy
      .nodes()
      .filter((n) => {
        const b = n.renderedBoundingBox({ includeLabels: false, includeOverlays: false });
        return b.x1 < 0 || b.y1 < 0 || b.x2 > w || b.y2 > h;
      })
      .map((n) => n.id());
  });
}

test('the first view fits every node in the canvas, and fits them again when the canvas shrinks before the user moves', async ({
  page,
}) => {
  const graph = new GraphPage(page);
  // Live first, until the demo's traffic is in (this test may run first, on a demo just started), then
  // loaded again without refreshes: one first draw, no later layout.
  await graph.open();
  await graph.expectDrawn(NODES, []);
  await graph.open('duration=5m&refresh=0');
  await graph.expectDrawn(NODES, []);
  await graph.expectLaidOut();
  expect(await nodesOutsideCanvas(page)).toEqual([]);
  // The canvas shrinks after the first draw (the window made smaller): the view follows.
  const before = await graph.canvas.boundingBox();
  await page.setViewportSize({ width: 900, height: 560 });
  await expect
    .poll(async () => (await graph.canvas.boundingBox())?.width)
    .toBeLessThan((before?.width ?? 0) - 200);
  await expect.poll(() => nodesOutsideCanvas(page)).toEqual([]);
});

test('a notice that comes after the first draw (control plane unavailable, the graph down) leaves the canvas its height', async ({
  page,
}) => {
  const graph = new GraphPage(page);
  await graph.open();
  await graph.expectDrawn(NODES, []);
  await graph.expectLaidOut();
  const before = await graph.canvas.boundingBox();
  expect(await nodesOutsideCanvas(page)).toEqual([]);
  // The page's next answers (asked at once): the control plane down (the graph drawn without its config), then
  // Prometheus down, then Prometheus back.
  const controlPlane = { code: 'control_plane_unavailable', message: 'connect ECONNREFUSED 127.0.0.1:15010' };
  const partial = page.getByRole('status').filter({ hasText: 'control plane unavailable' });
  const failure = page.getByRole('alert').filter({ hasText: /cannot be updated.*Prometheus is down/ });
  await graph.alterGraphAnswers((g) => ({
    status: 200,
    json: { ...g, warnings: [...g.warnings, controlPlane] },
  }));
  await graph.refreshNow();
  await expect(partial).toBeVisible();
  expect(await graph.canvas.boundingBox()).toEqual(before);
  expect(await nodesOutsideCanvas(page)).toEqual([]);
  const down = {
    error: { code: 'prometheus_unavailable', message: 'Prometheus is down: connect ECONNREFUSED' },
  };
  await graph.alterGraphAnswers(() => ({ status: 503, json: down }));
  await graph.refreshNow();
  await expect(failure).toBeVisible();
  expect(await graph.canvas.boundingBox()).toEqual(before);
  expect(await nodesOutsideCanvas(page)).toEqual([]);
  // Partial data can be put away (and shown again); the failure cannot.
  await page.getByRole('button', { name: 'Dismiss: control plane unavailable' }).click();
  await expect(partial).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Dismiss: .*cannot be updated/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'Show 1 dismissed notice' }).click();
  await expect(partial).toBeVisible();
  // Prometheus back: the failure goes by itself.
  await graph.alterGraphAnswers(() => undefined);
  await graph.refreshNow();
  await expect(failure).toHaveCount(0, { timeout: 30_000 });
  expect(await graph.canvas.boundingBox()).toEqual(before);
});

test('a pinned graph answered while its latency is still being read is asked again, and its latency comes in', async ({
  page,
}) => {
  const graph = new GraphPage(page);
  // Live first, until the demo's traffic is in, then pinned at a moment that has it.
  await graph.open();
  await graph.expectDrawn(NODES, []);
  const at = Math.floor(Date.now() / 1000) - 5;
  // The pinned graph's first full answer (latency asked for) comes without it, as the server answers a graph
  // whose latency read is still under way; the answers after it as they are.
  const answers: boolean[] = [];
  await page.route(
    (url) =>
      url.pathname === '/api/graph' &&
      url.searchParams.get('queryTime') === String(at) &&
      url.searchParams.get('latency') !== 'false',
    async (route) => {
      const response = await route.fetch();
      const g = await response.json();
      const first = answers.length === 0;
      answers.push(first);
      if (!first) return route.fulfill({ response });
      const { latencyTime: _read, ...rest } = g;
      const still = {
        code: 'latency_unavailable',
        message: 'latency is still being read (Prometheus takes longer than 10 s for this view)',
      };
      await route.fulfill({ response, json: { ...rest, warnings: [...rest.warnings, still] } });
    },
  );
  await graph.open(`duration=5m&at=${at}`);
  const notice = page.getByRole('status').filter({ hasText: 'latency unavailable' });
  await expect(notice).toBeVisible();
  // Asked again by itself (no refresh, no reload): the notice goes once an answer has latency.
  await expect(notice).toHaveCount(0, { timeout: 30_000 });
  expect(answers).toEqual([true, false]);
});

test('on a phone the graph fills the screen, with the controls in a menu and the legend in a drawer', async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const graph = new GraphPage(page);
  await graph.open('duration=5m&refresh=0');
  await graph.expectDrawn(['svc:bookinfo:reviews'], []);
  const canvas = await graph.canvas.boundingBox();
  expect(canvas?.width).toBeGreaterThan(370);
  expect(canvas?.height).toBeGreaterThan(400);
  await expect(graph.panel).toBeHidden();
  await expect(page.getByRole('combobox', { name: 'Graph', exact: true })).toBeHidden();
  await page.getByRole('button', { name: 'Controls' }).click();
  await expect(page.getByRole('combobox', { name: 'Graph', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Hide controls' }).click();
  await page.getByRole('button', { name: 'Legend' }).click();
  await expect(graph.panel.getByRole('heading', { name: 'Legend' })).toBeVisible();
  // Selecting a node opens its details in the drawer.
  await page.getByRole('button', { name: 'Controls' }).click();
  await graph.selectNode('svc:bookinfo:reviews');
  await expect(graph.panel.getByRole('heading', { name: 'service reviews' })).toBeVisible();
});
