// The Overview, the Applications/Workloads/Services lists and an item's detail page as a user drives
// them: cards and rows by name, filters and sort headers, tabs by their labels.
import { expect, type Locator, type Page } from '@playwright/test';

export class OverviewPage {
  constructor(private readonly page: Page) {}

  async open(query = ''): Promise<void> {
    await this.page.goto(`/overview${query ? `?${query}` : ''}`);
    await expect(this.page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  }

  card(namespace: string): Locator {
    return this.page.getByRole('article', { name: namespace });
  }

  table(): Locator {
    return this.page.getByRole('table');
  }
}

export type Kind = 'applications' | 'workloads' | 'services';

export class ListPage {
  readonly table: Locator;

  constructor(private readonly page: Page) {
    this.table = page.getByRole('table');
  }

  async open(kind: Kind, query = ''): Promise<void> {
    await this.page.goto(`/${kind}${query ? `?${query}` : ''}`);
    await expect(this.table).toBeVisible();
  }

  row(name: string): Locator {
    return this.table
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
  }

  /** The names in the table's first column, top to bottom. */
  names(): Promise<string[]> {
    return this.table.getByRole('rowheader').allInnerTexts();
  }

  async filterLabel(text: string): Promise<void> {
    const field = this.page.getByRole('textbox', { name: 'Label' });
    await field.fill(text);
    await field.press('Enter');
  }

  async sortBy(column: string): Promise<void> {
    await this.table.getByRole('button', { name: new RegExp(`^${column}`) }).click();
  }
}

export class DetailPage {
  constructor(private readonly page: Page) {}

  async open(kind: Kind, namespace: string, name: string, tab?: string): Promise<void> {
    await this.page.goto(`/namespaces/${namespace}/${kind}/${name}${tab ? `?tab=${tab}` : ''}`);
    await expect(this.page.getByRole('heading', { level: 1 })).toContainText(name);
  }

  tab(label: string): Locator {
    return this.page
      .getByRole('navigation', { name: 'Tabs' })
      .getByRole('link', { name: label, exact: true });
  }

  section(name: string): Locator {
    return this.page.getByRole('region', { name });
  }

  table(caption: string): Locator {
    return this.page.getByRole('table', { name: caption });
  }

  /** The Overview tab's mini-graph of the item and its neighbours (a canvas; `data-layout` once drawn). */
  miniGraph(): Locator {
    return this.section('Neighbours').getByTestId('mini-graph');
  }
}

/** A workload's Proxy tab: its views (Routes, Clusters, …) are links in the "Proxy config" navigation. */
export class ProxyTab {
  constructor(private readonly page: Page) {}

  async open(namespace: string, workload: string, view?: string): Promise<void> {
    await this.page.goto(
      `/namespaces/${namespace}/workloads/${workload}?tab=proxy${view ? `&view=${view}` : ''}`,
    );
    await expect(this.page.getByRole('navigation', { name: 'Proxy config' })).toBeVisible();
  }

  async show(label: string): Promise<void> {
    const link = this.page
      .getByRole('navigation', { name: 'Proxy config' })
      .getByRole('link', { name: label, exact: true });
    await link.click();
    await expect(link).toHaveAttribute('aria-current', 'page');
  }

  table(caption: RegExp | string): Locator {
    return this.page.getByRole('table', { name: caption });
  }
}
