// A service's Traffic shifting tab (its detail page) as a user drives it: weights by slider or field, presets, Apply,
// the observed split, the history with its rollbacks, and the conflict notice.
import type { Locator, Page } from '@playwright/test';

export class ServicePage {
  readonly apply: Locator;
  /** The outcome of the last Apply or rollback. */
  readonly status: Locator;
  readonly history: Locator;
  readonly conflict: Locator;

  constructor(
    private readonly page: Page,
    private readonly versions: readonly string[],
  ) {
    this.apply = page.getByRole('button', { name: 'Apply', exact: true });
    this.status = page.getByRole('status').filter({ hasText: /^(Applied|Rolled back)/ });
    this.history = page.getByRole('region', { name: 'History' });
    this.conflict = page.getByRole('alert').filter({ hasText: 'Conflict' });
  }

  async open(service: string, namespace: string): Promise<void> {
    await this.page.goto(`/namespaces/${namespace}/services/${service}?tab=traffic-shifting`);
  }

  slider(version: string): Locator {
    return this.page.getByRole('slider', { name: `${version} weight` });
  }

  field(version: string): Locator {
    return this.page.getByRole('spinbutton', { name: `${version} weight` });
  }

  observed(version: string): Locator {
    return this.page.getByRole('meter', { name: `${version} observed` });
  }

  preset(label: string): Locator {
    return this.page.getByRole('button', { name: label, exact: true });
  }

  async scope(label: string): Promise<void> {
    await this.page.getByLabel('Applies to').selectOption({ label });
  }

  /** Drags a version's slider all the way up, from the keyboard. */
  async sliderToMax(version: string): Promise<void> {
    await this.slider(version).focus();
    await this.page.keyboard.press('End');
  }

  /** The weights in the form, in the order of `versions`. */
  weights(): Promise<number[]> {
    return Promise.all(this.versions.map(async (v) => Number(await this.field(v).inputValue())));
  }

  /** The history entry `n` (0: newest)'s rollback. */
  async rollBackTo(n: number): Promise<void> {
    await this.history
      .getByRole('listitem')
      .nth(n)
      .getByRole('button', { name: 'Roll back to this' })
      .click();
  }
}
