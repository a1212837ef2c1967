// Accessibility on every page against the running demo: axe-core's WCAG 2.1 A and AA rules in light and
// dark, no serious or critical violation; and the actions a page offers reachable by keyboard.
import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { expect, test } from './support/test';

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BUSY = /^(Loading|Searching|Reading the sidecar)/;

/** Waits until the page has its content (main filled, no loading line, network quiet). */
async function settle(page: Page): Promise<void> {
  await expect(page.getByRole('main')).not.toBeEmpty({ timeout: 30_000 });
  await expect(page.getByText(BUSY)).toHaveCount(0, { timeout: 30_000 });
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {
    // Pages that poll (the graph) may never be quiet for long: their content is there already.
  });
}

/** Opens `path` in each theme (the OS preference the theme follows) and runs axe; serious+ must be none. */
async function expectAccessible(page: Page, path: string, testInfo: TestInfo): Promise<void> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.goto(path);
    await settle(page);
    await expect(page.locator('html')).toHaveClass(colorScheme === 'dark' ? /\bdark\b/ : /^(?!.*\bdark\b)/);
    const { violations } = await new AxeBuilder({ page }).withTags(WCAG).analyze();
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    for (const v of serious)
      found.push(
        `${colorScheme} ${v.id} (${v.nodes.length}): ${v.nodes
          .slice(0, 4)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
      );
    if (serious.length > 0)
      await testInfo.attach(`axe-${colorScheme}.json`, {
        body: JSON.stringify(serious, null, 2),
        contentType: 'application/json',
      });
  }
  expect(found, `serious or critical axe violations on ${path}`).toEqual([]);
}

const DETAIL_TABS = {
  applications: { name: 'productpage', tabs: ['', 'traffic', 'inbound', 'outbound', 'traces'] },
  workloads: { name: 'reviews-v2', tabs: ['', 'traffic', 'inbound', 'outbound', 'traces', 'proxy'] },
  services: { name: 'reviews', tabs: ['', 'traffic', 'inbound', 'traces', 'traffic-shifting'] },
} as const;

const PAGES: string[] = [
  '/overview',
  '/overview?view=table',
  '/graph?namespaces=bookinfo&duration=5m&refresh=0',
  '/applications',
  '/workloads',
  '/services',
  ...Object.entries(DETAIL_TABS).flatMap(([kind, { name, tabs }]) =>
    tabs.map((tab) => `/namespaces/bookinfo/${kind}/${name}${tab ? `?tab=${tab}` : ''}`),
  ),
  ...['clusters', 'listeners', 'secrets', 'log'].map(
    (view) => `/namespaces/bookinfo/workloads/productpage-v1?tab=proxy&view=${view}`,
  ),
  '/istio',
  '/namespaces/bookinfo/istio/virtualservices/reviews',
  '/traces',
  '/traces?service=productpage.bookinfo&lookback=1h',
  '/sign-in',
];

for (const path of PAGES) {
  test(`axe: ${path}`, async ({ page }, testInfo) => {
    await expectAccessible(page, path, testInfo);
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

test('axe: a trace page', async ({ page, demo }, testInfo) => {
  await expectAccessible(page, `/traces/${await recentTraceId(demo.jaeger)}`, testInfo);
});

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
