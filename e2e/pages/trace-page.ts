// One trace's page as a user reads it: the waterfall, the selected span and its detail pane, the views
// (timeline, statistics, flame graph), the minimap, links and warnings, and "Download JSON".
import type { Download, Locator, Page } from '@playwright/test';

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
  readonly detail: Locator;
  /** The selected span's warnings (what reading it repaired). */
  readonly spanWarnings: Locator;
  /** The trace's warnings line in the header. */
  readonly traceWarnings: Locator;
  readonly links: Locator;
  readonly minimap: Locator;
  readonly stats: Locator;
  readonly flameGraph: Locator;

  constructor(private readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.waterfall = page.getByTestId('waterfall');
    this.spans = page.locator('[data-span-id]');
    this.selectedRow = page.locator('[data-span-id][data-selected]');
    this.status = page.getByTestId('span-status');
    this.flags = page.getByTestId('span-flags');
    this.errorCount = page.getByTestId('trace-error-count');
    this.detail = page.getByTestId('span-detail');
    this.spanWarnings = page.getByTestId('span-warnings');
    this.traceWarnings = page.getByTestId('trace-warnings');
    this.links = page.getByTestId('span-links');
    this.minimap = page.getByTestId('trace-minimap');
    this.stats = page.getByRole('table', { name: 'Trace statistics' });
    this.flameGraph = page.getByRole('region', { name: 'Flame graph' });
  }

  /** The header's figure for `term` (Spans, Depth, Errors…). */
  fact(term: string): Locator {
    return this.page
      .locator('dt', { hasText: new RegExp(`^${term}\\s*$`) })
      .locator('xpath=following-sibling::dd[1]');
  }

  row(spanId: string): Locator {
    return this.waterfall.locator(`[data-span-id="${spanId}"]`);
  }

  async selectSpan(spanId: string): Promise<void> {
    await this.row(spanId).locator('button[aria-pressed]').click();
  }

  async showView(name: 'Timeline' | 'Statistics' | 'Flame graph'): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  async downloadJson(): Promise<Download> {
    const download = this.page.waitForEvent('download');
    await this.page.getByRole('button', { name: 'Download JSON' }).click();
    return download;
  }
}
