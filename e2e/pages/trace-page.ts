// One trace's page as a user reads it: the waterfall, the selected span and its detail pane.
import type { Locator, Page } from '@playwright/test';

export class TracePage {
  readonly heading: Locator;
  readonly waterfall: Locator;
  readonly spans: Locator;
  readonly selectedRow: Locator;
  /** The selected span's status code in words. */
  readonly status: Locator;
  /** The selected span's response flags in words. */
  readonly flags: Locator;
  readonly errorCount: Locator;

  constructor(page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.waterfall = page.getByTestId('waterfall');
    this.spans = page.locator('[data-span-id]');
    this.selectedRow = page.locator('[data-span-id][data-selected]');
    this.status = page.getByTestId('span-status');
    this.flags = page.getByTestId('span-flags');
    this.errorCount = page.getByTestId('trace-error-count');
  }
}
