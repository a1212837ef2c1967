// Tracing a failing request against the running demo: from the graph's edge into ratings to the span that
// failed (status code and response flag in words), an errors-only trace search, and a latency exemplar
// opened as its trace.
import type { Page } from '@playwright/test';
import { expect, test } from './support/test';

const RATINGS = 'svc:bookinfo:ratings';
const FLAGS = '(FI|URX|UF|UT|UH|UO|UC|UR|DC|LR)';
/** A response flag followed by its meaning, as the trace page's detail pane writes it. */
const FLAG_IN_WORDS = new RegExp(`\\b${FLAGS}\\b — \\w+`);
/** Same in the failing-request list, where the flag is followed directly by its meaning. */
const FLAG_IN_WORDS_INLINE = new RegExp(
  `${FLAGS} (aborted|retries|upstream|no healthy|downstream|connection)`,
);

/** The graph page as a user sees it. */
function graphPage(page: Page) {
  const panel = page.getByTestId('side-panel');
  return {
    panel,
    failingRequests: panel.getByTestId('failing-requests'),
    exemplars: panel.locator('[data-exemplar-trace-id]'),
    /** Clicks, on the canvas, the busiest-failing edge from a reviews version into ratings; answers its id. */
    async openEdgeInto(target: string): Promise<string> {
      await page.goto('/graph?duration=5m&refresh=0');
      const canvas = page.getByTestId('graph-canvas');
      let edge: { id: string; x: number; y: number } | undefined;
      await expect
        .poll(
          async () => {
            edge = await page.evaluate((t) => {
              type El = {
                id(): string;
                data(k: string): unknown;
                renderedMidpoint(): { x: number; y: number };
              };
              const cy = (window as unknown as { __meshlensCy?: { edges(): { toArray(): El[] } } })
                .__meshlensCy;
              if (!cy) return undefined;
              const into = cy
                .edges()
                .toArray()
                .filter(
                  (e) =>
                    e.data('target') === t && String(e.data('source')).startsWith('app:bookinfo:reviews'),
                );
              into.sort((a, b) => Number(b.data('errorRate') ?? 0) - Number(a.data('errorRate') ?? 0));
              const e = into[0];
              return e ? { id: e.id(), ...e.renderedMidpoint() } : undefined;
            }, target);
            return edge?.id;
          },
          { timeout: 60_000, message: `an edge from reviews into ${target} on the graph` },
        )
        .toBeTruthy();
      if (!edge) throw new Error(`no edge into ${target}`);
      const id = edge.id;
      const midpoint = () =>
        page.evaluate((edgeId) => {
          type Cy = { getElementById(id: string): { renderedMidpoint(): { x: number; y: number } } };
          return (window as unknown as { __meshlensCy: Cy }).__meshlensCy
            .getElementById(edgeId)
            .renderedMidpoint();
        }, id);
      // Click where the edge is drawn once the layout has settled (two reads half a second apart agree).
      let last = '';
      await expect
        .poll(
          async () => {
            const p = await midpoint();
            const now = `${Math.round(p.x)},${Math.round(p.y)}`;
            const settled = now === last;
            last = now;
            return settled;
          },
          { intervals: [500], timeout: 30_000, message: 'the graph layout settles' },
        )
        .toBe(true);
      const box = await canvas.boundingBox();
      if (!box) throw new Error('the graph canvas is not on the page');
      const fresh = await midpoint();
      await page.mouse.click(box.x + fresh.x, box.y + fresh.y);
      await expect(this.panel.getByRole('heading', { name: /→ service ratings/ })).toBeVisible();
      return id;
    },
  };
}

/** The trace page as a user sees it. */
function tracePage(page: Page) {
  return {
    waterfall: page.getByTestId('waterfall'),
    selectedRow: page.locator('[data-span-id][data-selected]'),
    status: page.getByTestId('span-status'),
    flags: page.getByTestId('span-flags'),
  };
}

test('from the edge into ratings to the failing span, with its status code and response flag', async ({
  page,
}) => {
  const graph = graphPage(page);
  await graph.openEdgeInto(RATINGS);
  // Failures on this edge show up as the demo's traffic runs into ratings' injected aborts.
  const firstFailing = graph.failingRequests.locator('li[data-trace-id] a').first();
  await expect(firstFailing).toBeVisible({ timeout: 90_000 });
  // Listed with the status code it failed with (5xx, or 0: no response) and its response flag in words.
  const item = graph.failingRequests.locator('li[data-trace-id]').first();
  await expect(item).toHaveAttribute('data-status-code', /^(5\d\d|0)$/);
  await expect(item).toContainText(FLAG_IN_WORDS_INLINE);
  await firstFailing.click();

  const trace = tracePage(page);
  await expect(page).toHaveURL(/\/traces\/[0-9a-f]+\?span=[0-9a-f]+/);
  await expect(trace.waterfall).toBeVisible();
  // The span that failed is the one selected, marked as an error, its outcome in the detail pane.
  await expect(trace.selectedRow).toHaveAttribute('data-error', 'true');
  await expect(trace.status).toContainText(/^(5\d\d|0 \(no response\)) — error/);
  await expect(trace.flags).toContainText(FLAG_IN_WORDS);
});

test('an errors-only search finds error traces and nothing else', async ({ page }) => {
  await page.goto('/traces?lookback=15m');
  const form = page.getByRole('form', { name: 'Search traces' });
  await form.getByLabel('Errors only').check();
  await form.getByRole('button', { name: 'Find traces' }).click();
  await expect(page).toHaveURL(/[?&]errors=1\b/);

  const results = page.getByRole('region', { name: 'Traces found' }).locator('li[data-trace-id]');
  await expect(results.first()).toBeVisible({ timeout: 60_000 });
  const errorCounts = await results.evaluateAll((items) =>
    items.map((li) => Number(li.getAttribute('data-error-count'))),
  );
  expect(errorCounts.length).toBeGreaterThan(0);
  expect(errorCounts.every((n) => n > 0)).toBe(true);
  // The scatter plot agrees: every point is red.
  const points = page.getByTestId('duration-scatter').locator('a[data-trace-id]');
  await expect(points).toHaveCount(errorCounts.length);
  await expect(
    page.getByTestId('duration-scatter').locator('a[data-trace-id]:not([data-error])'),
  ).toHaveCount(0);

  // Opening one shows its error spans.
  await results.first().getByRole('link').click();
  await expect(page.getByTestId('trace-error-count')).not.toHaveText('0');
});

test('a latency exemplar opens the trace of that request', async ({ page }) => {
  const graph = graphPage(page);
  await graph.openEdgeInto(RATINGS);
  // Points can overlap: take the last one drawn, on top of the others, as a pointer would.
  const point = graph.exemplars.last();
  // Prometheus keeps exemplars from its OpenMetrics scrapes of the sidecars; they appear within a scrape or two.
  await expect(point).toBeVisible({ timeout: 90_000 });
  const traceId = await point.getAttribute('data-exemplar-trace-id');
  expect(traceId).toMatch(/^[0-9a-f]{16,32}$/);
  await point.click();
  await expect(page).toHaveURL(new RegExp(`/traces/${traceId}`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(
    (traceId as string).replace(/^0{16}/, ''),
  );
  await expect(page.locator('[data-span-id]').first()).toBeVisible();
});
