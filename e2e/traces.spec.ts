// Tracing a failing request against the running demo: from the graph's edge into ratings to the span that
// failed (status code and response flag in words), an errors-only trace search, and a latency exemplar
// opened as its trace.
import type { Page } from '@playwright/test';
import { GraphPage } from './pages/graph-page';
import { TracePage } from './pages/trace-page';
import { TraceSearchPage } from './pages/trace-search-page';
import { expect, test } from './support/test';

const RATINGS = 'svc:bookinfo:ratings';
const FLAGS = '(FI|URX|UF|UT|UH|UO|UC|UR|DC|LR)';
/** A response flag followed by its meaning, as the trace page's detail pane writes it. */
const FLAG_IN_WORDS = new RegExp(`\\b${FLAGS}\\b — \\w+`);
/** Same in the failing-request list, where the flag is followed directly by its meaning. */
const FLAG_IN_WORDS_INLINE = new RegExp(
  `${FLAGS} (aborted|retries|upstream|no healthy|downstream|connection)`,
);

/** How a listed failure failed, in words: a response flag, a gRPC status, or no response. */
const FAILURE_IN_WORDS = new RegExp(`${FLAG_IN_WORDS_INLINE.source}|[A-Z_]+ \\(gRPC \\d+\\)|no response`);

/** Opens the graph and clicks, on the canvas, the busiest-failing edge from a reviews version into `target`. */
async function openEdgeInto(page: Page, target: string): Promise<GraphPage> {
  const graph = new GraphPage(page);
  await graph.open('duration=5m&refresh=0');
  await graph.clickEdge(await graph.expectWorstEdgeInto(target, 'app:bookinfo:reviews'));
  await expect(graph.panel.getByRole('heading', { name: /→ service ratings/ })).toBeVisible();
  return graph;
}

test('from the edge into ratings to the failing span, with its status code and response flag', async ({
  page,
}) => {
  const graph = await openEdgeInto(page, RATINGS);
  // Failures on this edge show up as the demo's traffic runs into ratings' injected aborts and its bursts
  // of UNAVAILABLE.
  const items = graph.failingRequests.locator('li[data-trace-id]');
  await expect(items.first()).toBeVisible({ timeout: 90_000 });
  // Each is listed with the status code it failed with (5xx, 0: no response, or 200: ratings is gRPC, its
  // failures are grpc-status values on HTTP 200) and how it failed in words: the proxy's response flag, or
  // the gRPC status the server answered.
  await expect(items.first()).toHaveAttribute('data-status-code', /^(5\d\d|0|200)$/);
  await expect(items.first()).toContainText(FAILURE_IN_WORDS);
  // One the proxy flagged (an injected abort, retries exhausted) leads to its span.
  const flagged = graph.failingRequests
    .locator('li[data-trace-id][data-response-flags]:not([data-response-flags="-"])')
    .first();
  await expect(flagged).toBeVisible({ timeout: 90_000 });
  await expect(flagged).toContainText(FLAG_IN_WORDS_INLINE);
  await flagged.locator('a').first().click();

  const trace = new TracePage(page);
  await expect(page).toHaveURL(/\/traces\/[0-9a-f]+\?span=[0-9a-f]+/);
  await expect(trace.waterfall).toBeVisible();
  // The span that failed is the one selected, marked as an error, its outcome in the detail pane.
  await expect(trace.selectedRow).toHaveAttribute('data-error', 'true');
  await expect(trace.status).toContainText(/^(5\d\d|200|0 \(no response\)) — error/);
  await expect(trace.flags).toContainText(FLAG_IN_WORDS);
});

test('an errors-only search finds error traces and nothing else', async ({ page }) => {
  const search = new TraceSearchPage(page);
  await search.open('lookback=15m');
  await search.findErrorsOnly();
  await expect(page).toHaveURL(/[?&]errors=1\b/);

  await expect(search.results.first()).toBeVisible({ timeout: 60_000 });
  const errorCounts = await search.errorCounts();
  expect(errorCounts.length).toBeGreaterThan(0);
  expect(errorCounts.every((n) => n > 0)).toBe(true);
  // The scatter plot agrees: every point is red.
  await expect(search.points).toHaveCount(errorCounts.length);
  await expect(search.successPoints()).toHaveCount(0);

  // Opening one shows its error spans.
  await search.results.first().getByRole('link').click();
  await expect(new TracePage(page).errorCount).not.toHaveText('0');
});

test('a latency exemplar opens the trace of that request', async ({ page }) => {
  const graph = await openEdgeInto(page, RATINGS);
  // Points can overlap: take the last one drawn, on top of the others, as a pointer would.
  const point = graph.exemplars.last();
  // Prometheus keeps exemplars from its OpenMetrics scrapes of the sidecars; they appear within a scrape or two.
  await expect(point).toBeVisible({ timeout: 90_000 });
  const traceId = await point.getAttribute('data-exemplar-trace-id');
  expect(traceId).toMatch(/^[0-9a-f]{16,32}$/);
  await point.click();
  await expect(page).toHaveURL(new RegExp(`/traces/${traceId}`));
  const trace = new TracePage(page);
  await expect(trace.heading).toContainText((traceId as string).replace(/^0{16}/, ''));
  await expect(trace.spans.first()).toBeVisible();
});
