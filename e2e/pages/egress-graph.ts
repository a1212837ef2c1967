// The graph page's egress view as a user reads it: what a drawn node or edge is marked as (the egress
// gateway, an external host, a refused edge), its data as the canvas holds it, and the edge panel's words
// on a refusal.
import { expect, type Locator, type Page } from '@playwright/test';

type El = { empty(): boolean; classes(): string[]; data(k?: string): unknown };
type Cy = { getElementById(id: string): El };

export class EgressGraph {
  /** The edge panel's words on why traffic was refused. */
  readonly refusal: Locator;

  constructor(private readonly page: Page) {
    this.refusal = page.getByTestId('side-panel').getByTestId('edge-refusal');
  }

  /** A drawn element's classes and data (undefined while it is not drawn). */
  element(id: string): Promise<{ classes: string[]; data: Record<string, unknown> } | undefined> {
    return this.page.evaluate((elId) => {
      const cy = (window as unknown as { __meshlensCy?: Cy }).__meshlensCy;
      const el = cy?.getElementById(elId);
      if (!el || el.empty()) return undefined;
      return { classes: el.classes(), data: el.data() as Record<string, unknown> };
    }, id);
  }

  /** Waits until the element is drawn with `cls` among its classes. */
  async expectClass(id: string, cls: string, timeout = 60_000): Promise<void> {
    await expect
      .poll(async () => (await this.element(id))?.classes ?? [], {
        timeout,
        message: `${id} drawn as ${cls}`,
      })
      .toContain(cls);
  }
}
