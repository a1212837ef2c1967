// The trace search page as a user drives it: fill the form, find traces, read the list and the scatter plot,
// tick two to compare, or open a trace file.
import type { Locator, Page } from '@playwright/test';

export class TraceSearchPage {
  readonly form: Locator;
  /** The traces found, one list item each (with its error count as `data-error-count`). */
  readonly results: Locator;
  /** The scatter plot's points, one link a trace. */
  readonly points: Locator;
  readonly fileInput: Locator;
  /** What the file opener says when a file is not a trace. */
  readonly fileError: Locator;
  /** The traces of a file holding several. */
  readonly fileTraces: Locator;

  constructor(private readonly page: Page) {
    this.form = page.getByRole('form', { name: 'Search traces' });
    this.results = page.getByRole('region', { name: 'Traces found' }).locator('li[data-trace-id]');
    this.points = page.getByTestId('duration-scatter').locator('a[data-trace-id]');
    const opener = page.getByRole('region', { name: 'Open trace file' });
    this.fileInput = opener.getByLabel('Open trace file');
    this.fileError = opener.getByRole('alert');
    this.fileTraces = opener.getByRole('list', { name: 'Traces in the file' });
  }

  async open(query = ''): Promise<void> {
    await this.page.goto(`/traces${query ? `?${query}` : ''}`);
  }

  async findErrorsOnly(): Promise<void> {
    await this.form.getByLabel('Errors only').check();
    await this.form.getByRole('button', { name: 'Find traces' }).click();
  }

  /** Picks a file to open, as the file chooser would. */
  async openFile(name: string, body: string): Promise<void> {
    await this.fileInput.setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(body) });
  }

  /** Ticks the first two results and presses Compare; answers their trace ids in order. */
  async compareFirstTwo(): Promise<[string, string]> {
    const ids: string[] = [];
    for (const item of [this.results.nth(0), this.results.nth(1)]) {
      ids.push((await item.getAttribute('data-trace-id')) as string);
      await item.getByRole('checkbox').check();
    }
    await this.page.getByRole('link', { name: 'Compare', exact: true }).click();
    return [ids[0] as string, ids[1] as string];
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
