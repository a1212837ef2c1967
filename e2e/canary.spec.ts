// Canary traffic shifting against the running demo: shift reviews to v3 with the slider and watch the
// observed split follow, roll back from history, meet a concurrent edit as a conflict, and have a
// write from another origin refused.
import type { Page } from '@playwright/test';
import { MeshConfigClient } from '../lib/mesh-config/client';
import type { VirtualService } from '../lib/mesh-config/schema';
import { scenarioResources } from '../proxy-agent/src/demo/scenarios';
import { ServicePage } from './pages/service-page';
import { expect, test } from './support/test';

const VERSIONS = ['v1', 'v2', 'v3'] as const;

test.describe.configure({ mode: 'serial' });

async function openReviews(page: Page): Promise<ServicePage> {
  const p = new ServicePage(page, VERSIONS);
  await p.open('reviews', 'bookinfo');
  return p;
}

/** The reviews VirtualService as the demo set it up, restored after the specs so others see its traffic. */
let original: VirtualService | undefined;
const client = (controlPlane: string, token: string) =>
  new MeshConfigClient({ baseUrl: controlPlane, token });

test.beforeAll(async ({ demo }) => {
  const cp = client(demo.controlPlane, demo.token);
  const vs = await cp.get<VirtualService>('VirtualService', 'bookinfo', 'reviews');
  if (!vs.ok) throw new Error(`cannot read the reviews VirtualService: ${vs.message}`);
  original = vs.value;
  // Start from the demo's own split (v1 50 / v2 30 / v3 20), whatever earlier runs left behind.
  const initial = scenarioResources('default').find(
    (r): r is VirtualService => r.kind === 'VirtualService' && r.metadata.name === 'reviews',
  );
  if (!initial) throw new Error('the demo scenario has no reviews VirtualService');
  const reset = await cp.apply<VirtualService>(initial, (now) => ({ ...now, spec: initial.spec }));
  if (!reset.ok) throw new Error(`cannot reset the reviews VirtualService: ${reset.message}`);
});

test.afterAll(async ({ demo }) => {
  if (!original) return;
  const spec = original.spec;
  const restored = await client(demo.controlPlane, demo.token).apply<VirtualService>(original, (now) => ({
    ...now,
    spec,
  }));
  if (!restored.ok) throw new Error(`cannot restore the reviews VirtualService: ${restored.message}`);
});

test('shifts reviews to 100% v3 with the slider and sees the observed split follow', async ({ page }) => {
  // Convergence is bounded by the 30 s rate window plus scrape and sidecar update delays.
  test.setTimeout(180_000);
  const p = await openReviews(page);
  // Every route of reviews, the header route for "jason" too: all of its traffic goes to v3.
  await p.scope('All routes');
  await p.sliderToMax('v3');
  await expect(p.field('v3')).toHaveValue('100');
  await expect(p.field('v1')).toHaveValue('0');
  await expect(p.field('v2')).toHaveValue('0');
  await p.apply.click();
  await expect(p.status).toHaveText('Applied v1 0 · v2 0 · v3 100 to reviews.', { timeout: 30_000 });
  // The rate window is 30 s and Prometheus scrapes every 5 s: ≥ 95 % is normally reached within a minute.
  await expect
    .poll(async () => Number(await p.observed('v3').getAttribute('value')), {
      timeout: 120_000,
      intervals: [2_000],
    })
    .toBeGreaterThanOrEqual(95);
});

test('rolls back from the history', async ({ page }) => {
  const p = await openReviews(page);
  await expect(p.field('v1')).toBeVisible();
  const before = await p.weights();
  const preset = before[0] === 100 ? 'All to v2' : 'All to v1';
  await p.preset(preset).click();
  await p.apply.click();
  await expect(p.status).toContainText('Applied');
  // The newest entry is the change just made; the first one offering a rollback is the state before it.
  await expect(p.history.getByRole('listitem').first()).toContainText('current');
  await p.rollBackTo(1);
  await expect(p.status).toContainText('Rolled back reviews');
  await expect.poll(() => p.weights()).toEqual(before);
});

test('a concurrent edit from a second browser gets the conflict message, with both splits', async ({
  page,
  browser,
}) => {
  const mine = await openReviews(page);
  await expect(mine.field('v1')).toBeVisible();

  const other = await browser.newContext();
  try {
    const theirs = await openReviews(await other.newPage());
    await theirs.preset('All to v2').click();
    await theirs.apply.click();
    await expect(theirs.status).toContainText('Applied');
  } finally {
    await other.close();
  }

  await mine.preset('All to v1').click();
  await mine.apply.click();
  const conflict = mine.conflict;
  await expect(conflict).toContainText('Your change');
  await expect(conflict).toContainText('v1 100 · v2 0 · v3 0');
  await expect(conflict).toContainText('Current');
  await expect(conflict).toContainText('v1 0 · v2 100 · v3 0');
  await conflict.getByRole('button', { name: 'Reload' }).click();
  await expect(mine.field('v2')).toHaveValue('100');
});

test('a write from another origin is refused', async ({ request }) => {
  const before = await request.get('/api/services/bookinfo/reviews');
  const rv = ((await before.json()) as { state: { virtualService: { resourceVersion: string } } }).state
    .virtualService.resourceVersion;
  const foreign = { Origin: 'http://evil.example' };
  const apply = await request.put('/api/canary/bookinfo/reviews', {
    headers: foreign,
    data: {
      split: [
        { version: 'v1', weight: 100 },
        { version: 'v2', weight: 0 },
        { version: 'v3', weight: 0 },
      ],
      resourceVersion: rv,
    },
  });
  expect(apply.status()).toBe(403);
  expect(await apply.json()).toMatchObject({ ok: false, kind: 'forbidden' });
  const rollback = await request.post('/api/canary/bookinfo/reviews/rollback', {
    headers: foreign,
    data: { to: rv, resourceVersion: rv },
  });
  expect(rollback.status()).toBe(403);
  const after = await request.get('/api/services/bookinfo/reviews');
  expect(
    ((await after.json()) as { state: { virtualService: { resourceVersion: string } } }).state.virtualService
      .resourceVersion,
  ).toBe(rv);
});
