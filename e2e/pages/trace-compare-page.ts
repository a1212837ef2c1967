// The trace comparison page: the two traces and the diff table, each path's change in words.
import type { Locator, Page } from '@playwright/test';

export class TraceComparePage {
  readonly heading: Locator;
  readonly diff: Locator;
  readonly rows: Locator;

  constructor(page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Compare traces' });
    this.diff = page.getByRole('table', { name: 'Trace comparison' });
    this.rows = this.diff.locator('tbody tr');
  }

  /** The diff row of one "service: operation" path. */
  row(name: string): Locator {
    return this.rows.filter({ has: this.diff.page().getByRole('cell', { name, exact: true }) });
  }
}
