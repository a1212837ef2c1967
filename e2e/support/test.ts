// The specs' `test`: Playwright's, with baseURL pointing at the demo's dashboard and the demo's
// other addresses as a fixture (the global setup started it before the workers).
import { test as base, expect } from '@playwright/test';
import { type DemoEnv, demoEnv } from './demo-env';

export const test = base.extend<{ demo: DemoEnv }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern
  demo: async ({}, use) => {
    await use(demoEnv());
  },
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern
  baseURL: async ({}, use) => {
    await use(demoEnv().dashboard);
  },
});

export { expect };
