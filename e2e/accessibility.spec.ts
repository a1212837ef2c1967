// Accessibility on every page against the running demo: axe-core's WCAG 2.1 A and AA rules in light and
// dark, no serious or critical violation; and the actions a page offers reachable by keyboard.
// One test per group of pages, visited in sequence in one browser context (detail tabs and proxy views
// by their links, as a user moves); each page is checked in both themes without a reload.
import type { Page } from '@playwright/test';
import { seriousViolations, settle } from './support/axe';
import { expect, test } from './support/test';

/** One stop of a group: how to get there from the page before, and what to call it in a report. */
interface Visit {
  where: string;
  go(page: Page): Promise<void>;
}

const open = (path: string): Visit => ({ where: path, go: (page) => page.goto(path).then(() => undefined) });

/** Follows a link of a navigation (a detail page's tabs, the Proxy tab's views) and waits for it to be current. */
const follow = (navigation: string, label: string, where: string): Visit => ({
  where,
  go: async (page) => {
    const link = page
      .getByRole('navigation', { name: navigation })
      .getByRole('link', { name: label, exact: true });
    await link.click();
    await expect(link).toHaveAttribute('aria-current', 'page');
  },
});

const DETAIL_TABS = {
  applications: { name: 'productpage', tabs: ['Traffic', 'Inbound metrics', 'Outbound metrics', 'Traces'] },
  workloads: {
    name: 'reviews-v2',
    tabs: ['Traffic', 'Inbound metrics', 'Outbound metrics', 'Traces', 'Proxy'],
  },
  services: { name: 'reviews', tabs: ['Traffic', 'Inbound metrics', 'Traces', 'Traffic shifting'] },
} as const;

const detail = (kind: keyof typeof DETAIL_TABS): Visit[] => {
  const { name, tabs } = DETAIL_TABS[kind];
  const path = `/namespaces/bookinfo/${kind}/${name}`;
  return [open(path), ...tabs.map((tab) => follow('Tabs', tab, `${path} ${tab}`))];
};

const PROXY = '/namespaces/bookinfo/workloads/productpage-v1?tab=proxy';

const GROUPS: Record<string, (demo: { jaeger: string }) => Promise<Visit[]> | Visit[]> = {
  'the Overview, the lists and the graph': () =>
    [
      '/overview',
      '/overview?view=table',
      '/graph?namespaces=bookinfo&duration=5m&refresh=0',
      '/applications',
      '/workloads',
      '/services',
    ].map(open),
  'an application’s tabs': () => detail('applications'),
  'a workload’s tabs': () => detail('workloads'),
  'a service’s tabs': () => detail('services'),
  'the Proxy tab’s views': () => [
    open(PROXY),
    ...['Clusters', 'Listeners', 'Certificates', 'Access log'].map((view) =>
      follow('Proxy config', view, `${PROXY} ${view}`),
    ),
  ],
  'Istio Config': () =>
    ['/istio', '/namespaces/bookinfo/istio/virtualservices/reviews', '/istio/new'].map(open),
  'traces and sign-in': async ({ jaeger }) => [
    ...['/traces', '/traces?service=productpage.bookinfo&lookback=1h'].map(open),
    open(`/traces/${await recentTraceId(jaeger)}`),
    open('/sign-in'),
  ],
};

for (const [group, visits] of Object.entries(GROUPS)) {
  test(`axe: ${group}`, async ({ page, demo }, testInfo) => {
    test.setTimeout(240_000);
    const found: string[] = [];
    for (const visit of await visits(demo)) {
      await visit.go(page);
      await settle(page);
      found.push(...(await seriousViolations(page, visit.where, testInfo)));
    }
    expect(found, `serious or critical axe violations in ${group}`).toEqual([]);
  });
}

/** A recent trace of the demo, from the trace store's Jaeger API. */
async function recentTraceId(jaeger: string): Promise<string> {
  let id: string | undefined;
  await expect
    .poll(
      async () => {
        const r = await fetch(`${jaeger}/api/traces?service=productpage.bookinfo&limit=5&lookback=1h`);
        const body = (await r.json()) as { data?: { traceID: string }[] };
        id = body.data?.[0]?.traceID;
        return id;
      },
      { timeout: 60_000 },
    )
    .toBeTruthy();
  return id as string;
}

/** Tabs through the page (bounded) and returns the accessible names of what took focus. */
async function focusWalk(page: Page, steps: number): Promise<string[]> {
  const names: string[] = [];
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  for (let i = 0; i < steps; i++) {
    await page.keyboard.press('Tab');
    names.push(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return '';
        return `${el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 60) ?? ''}`;
      }),
    );
  }
  return names;
}

test('keyboard: the Proxy tab’s views and its wide tables are reached with Tab', async ({ page }) => {
  await page.goto('/namespaces/bookinfo/workloads/productpage-v1?tab=proxy&view=log');
  await settle(page);
  const names = await focusWalk(page, 40);
  for (const label of ['Routes', 'Clusters', 'Listeners', 'Certificates', 'Access log'])
    expect(names).toContain(`a:${label}`);
  expect(names).toContain('section:Access log table');
});

test('keyboard: a trace page’s span waterfall (a scrollable region) is reached with Tab', async ({
  page,
  demo,
}) => {
  await page.goto(`/traces/${await recentTraceId(demo.jaeger)}`);
  await settle(page);
  const names = await focusWalk(page, 60);
  expect(names.some((n) => n.startsWith('section:Spans ('))).toBe(true);
});

test('keyboard: trace search results open with Enter', async ({ page }) => {
  await page.goto('/traces?service=productpage.bookinfo&lookback=1h');
  await settle(page);
  const first = page.getByRole('region', { name: 'Traces found' }).getByRole('link').first();
  await expect(first).toBeVisible({ timeout: 30_000 });
  await first.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/traces\/[0-9a-f]+/);
});
