// The trace search page as a user drives it: fill the form, find traces, read the list and the scatter plot.
import type { Locator, Page } from '@playwright/test';

export class TraceSearchPage {
  readonly form: Locator;
  /** The traces found, one list item each (with its error count as `data-error-count`). */
  readonly results: Locator;
  /** The scatter plot's points, one link a trace. */
  readonly points: Locator;

  constructor(private readonly page: Page) {
    this.form = page.getByRole('form', { name: 'Search traces' });
    this.results = page.getByRole('region', { name: 'Traces found' }).locator('li[data-trace-id]');
    this.points = page.getByTestId('duration-scatter').locator('a[data-trace-id]');
  }

  async open(query = ''): Promise<void> {
    await this.page.goto(`/traces${query ? `?${query}` : ''}`);
  }

  async findErrorsOnly(): Promise<void> {
    await this.form.getByLabel('Errors only').check();
    await this.form.getByRole('button', { name: 'Find traces' }).click();
  }

  /** The error count of every trace listed. */
  errorCounts(): Promise<number[]> {
    return this.results.evaluateAll((items) =>
      items.map((li) => Number(li.getAttribute('data-error-count'))),
    );
  }

  /** Scatter points drawn as successes (no `data-error`). */
  successPoints(): Locator {
    return this.page.getByTestId('duration-scatter').locator('a[data-trace-id]:not([data-error])');
  }
}
