// Traces without a backend and beyond it: a 10,000-span trace opened from a file (views, minimap, folded
// by default, Download JSON read back), what is not a trace said in words, an odd trace shown with its
// repairs, span links followed within a trace and into another, and two traces compared.
import { readFileSync } from 'node:fs';
import { TraceComparePage } from './pages/trace-compare-page';
import { TracePage } from './pages/trace-page';
import { TraceSearchPage } from './pages/trace-search-page';
import { expect, test } from './support/test';

const T0 = 1_700_000_000_000_000;
const hex = (i: number) => i.toString(16).padStart(16, '0');

interface SpanSpec {
  id: number;
  parent?: number;
  start: number;
  duration: number;
  op?: string;
  service?: number;
  refs?: { refType: string; traceID: string; spanID: string }[];
  extra?: Record<string, unknown>;
}

function jaegerTrace(traceID: string, specs: SpanSpec[]) {
  return {
    traceID,
    spans: specs.map((s) => ({
      traceID,
      spanID: hex(s.id),
      operationName: s.op ?? `op-${s.id % 7}`,
      references: [
        ...(s.parent === undefined ? [] : [{ refType: 'CHILD_OF', traceID, spanID: hex(s.parent) }]),
        ...(s.refs ?? []),
      ],
      startTime: T0 + s.start,
      duration: s.duration,
      tags: [{ key: 'span.kind', type: 'string', value: 'server' }],
      logs: [],
      processID: `p${s.service ?? 1}`,
      warnings: null,
      ...s.extra,
    })),
    processes: {
      p1: { serviceName: 'frontend', tags: [] },
      p2: { serviceName: 'backend', tags: [] },
      p3: { serviceName: 'db', tags: [] },
    },
    warnings: null,
  };
}

/** 10,000 spans: a root, 99 children, each with 100 grandchildren (wide fans fold by default). */
function bigTrace(traceID: string) {
  const specs: SpanSpec[] = [{ id: 1, start: 0, duration: 10_000_000 }];
  let id = 2;
  for (let c = 0; c < 99; c++) {
    const parent = id++;
    specs.push({ id: parent, parent: 1, start: c * 90_000, duration: 80_000, service: 2 });
    for (let g = 0; g < 100; g++)
      specs.push({ id: id++, parent, start: c * 90_000 + g * 800, duration: 700, service: 3 });
  }
  return jaegerTrace(traceID, specs);
}

test('a 10,000-span trace opened from a file: drawn windowed and folded, with its views, and downloaded back', async ({
  page,
}) => {
  const traceID = 'e2e0000000010000';
  const search = new TraceSearchPage(page);
  await search.open();
  await search.openFile('big-trace.json', JSON.stringify({ data: [bigTrace(traceID)] }));

  await expect(page).toHaveURL(new RegExp(`/traces/file/${traceID}`));
  const trace = new TracePage(page);
  await expect(trace.heading).toContainText(traceID);
  await expect(trace.fact('Spans')).toHaveText('10000');
  await expect(trace.minimap).toBeVisible();
  // Windowed: a few dozen rows in the DOM, and the wide fans folded (the root and its 99 children shown).
  await expect(trace.spans.first()).toBeVisible();
  expect(await trace.spans.count()).toBeLessThan(200);
  await expect(trace.waterfall).toHaveAttribute('aria-label', /Spans \(100 shown/);

  await trace.showView('Statistics');
  await expect(trace.stats.getByRole('columnheader', { name: /Self time/ })).toBeVisible();
  await expect(trace.stats).toContainText('db');
  await trace.showView('Flame graph');
  await expect(trace.flameGraph.getByRole('button', { name: 'frontend: op-1' })).toBeVisible();
  await trace.showView('Timeline');

  const download = await trace.downloadJson();
  expect(download.suggestedFilename()).toBe(`trace-${traceID}.json`);
  const saved = JSON.parse(readFileSync(await download.path(), 'utf8'));
  expect(saved.data[0].spans).toHaveLength(10_000);
});

test('a file that is not a trace is refused in words, and an odd trace is shown with its repairs', async ({
  page,
}) => {
  const search = new TraceSearchPage(page);
  await search.open();
  await search.openFile('notes.json', '{"hello": "world"}');
  await expect(search.fileError).toContainText('notes.json: not a trace');
  await search.openFile('broken.json', '{"data": [');
  await expect(search.fileError).toContainText('not JSON');

  const traceID = 'e2e00000000000dd';
  const odd = jaegerTrace(traceID, [
    { id: 1, start: 0, duration: 1000 },
    // No warnings field, a bool tag sent as a string, a parent that never arrived.
    {
      id: 2,
      parent: 99,
      start: 100,
      duration: 10,
      extra: { warnings: undefined, tags: [{ key: 'error', type: 'bool', value: 'true' }] },
    },
  ]);
  await search.openFile('odd.json', JSON.stringify(odd));
  const trace = new TracePage(page);
  await expect(trace.traceWarnings).toContainText('1 span has warnings');
  // The error span opens selected: its repairs are listed.
  await expect(trace.selectedRow).toHaveAttribute('data-span-id', hex(2));
  await expect(trace.spanWarnings).toContainText('bool sent as the string "true"');
  await expect(trace.spanWarnings).toContainText(`parent span ${hex(99)} is not in this trace (orphan)`);
});

test('span links are shown and followed: within the trace and into another trace of the file', async ({
  page,
}) => {
  const a = 'e2e000000000000a';
  const b = 'e2e000000000000b';
  const traceA = jaegerTrace(a, [
    { id: 1, start: 0, duration: 1000, op: 'publish' },
    { id: 2, parent: 1, start: 10, duration: 100, op: 'send' },
    {
      id: 3,
      parent: 1,
      start: 500,
      duration: 100,
      op: 'after-send',
      refs: [
        { refType: 'FOLLOWS_FROM', traceID: a, spanID: hex(2) },
        { refType: 'FOLLOWS_FROM', traceID: b, spanID: hex(7) },
      ],
    },
  ]);
  const traceB = jaegerTrace(b, [
    { id: 6, start: 2000, duration: 500, op: 'consume' },
    { id: 7, parent: 6, start: 2100, duration: 100, op: 'handle', service: 2 },
  ]);
  const search = new TraceSearchPage(page);
  await search.open();
  await search.openFile('linked.json', JSON.stringify({ data: [traceA, traceB] }));
  await search.fileTraces.getByRole('link', { name: 'frontend: publish' }).click();

  const trace = new TracePage(page);
  await trace.selectSpan(hex(3));
  await expect(trace.links).toContainText('FOLLOWS_FROM');
  await trace.links.getByRole('button', { name: `Go to span ${hex(2)}` }).click();
  await expect(trace.selectedRow).toHaveAttribute('data-span-id', hex(2));
  // The other direction is listed on the linked span.
  await expect(trace.links.getByRole('button', { name: 'frontend: after-send' })).toBeVisible();

  await trace.selectSpan(hex(3));
  await trace.links.getByRole('link', { name: `Open span ${hex(7)} in trace ${b}` }).click();
  await expect(page).toHaveURL(new RegExp(`/traces/file/${b}\\?span=${hex(7)}`));
  await expect(trace.selectedRow).toHaveAttribute('data-span-id', hex(7));
});

test('two traces of a file compared: added, removed and slower paths marked', async ({ page }) => {
  const a = 'e2e00000000000c1';
  const b = 'e2e00000000000c2';
  const base = jaegerTrace(a, [
    { id: 1, start: 0, duration: 1000, op: 'GET /' },
    { id: 2, parent: 1, start: 10, duration: 100, op: 'query', service: 3 },
    { id: 3, parent: 1, start: 200, duration: 50, op: 'legacy', service: 2 },
  ]);
  const next = jaegerTrace(b, [
    { id: 1, start: 0, duration: 1000, op: 'GET /' },
    { id: 2, parent: 1, start: 10, duration: 600, op: 'query', service: 3 },
    { id: 4, parent: 1, start: 700, duration: 50, op: 'cache', service: 2 },
  ]);
  const search = new TraceSearchPage(page);
  await search.open();
  await search.openFile('pair.json', JSON.stringify({ data: [base, next] }));
  await search.fileTraces.getByRole('link', { name: 'Compare the first two' }).click();
  await expect(page).toHaveURL(new RegExp(`/traces/compare\\?a=${a}&b=${b}`));
  const compare = new TraceComparePage(page);
  await expect(compare.row('db: query')).toHaveAttribute('data-diff-state', 'slower');
  await expect(compare.row('backend: cache')).toHaveAttribute('data-diff-state', 'added');
  await expect(compare.row('backend: legacy')).toHaveAttribute('data-diff-state', 'removed');
  await expect(compare.row('frontend: GET /')).toContainText('same');
});

test('two traces from the search results compared through their own URL', async ({ page }) => {
  const search = new TraceSearchPage(page);
  await search.open('lookback=15m&limit=20');
  await expect(search.results.nth(1)).toBeVisible({ timeout: 60_000 });
  const [a, b] = await search.compareFirstTwo();
  await expect(page).toHaveURL(new RegExp(`/traces/compare\\?a=${a}&b=${b}`));
  const compare = new TraceComparePage(page);
  await expect(compare.rows.first()).toBeVisible();
  await expect(compare.heading).toBeVisible();
});
