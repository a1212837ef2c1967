// The graph page as a user drives it: open it, wait for the mesh to be drawn, select a node or an edge
// (through the keyboard-accessible lists), read the side panel.
import { expect, type Locator, type Page } from '@playwright/test';

type Cy = {
  nodes(): { map<T>(f: (n: { id(): string }) => T): T[] };
  edges(): { map<T>(f: (e: { id(): string }) => T): T[] };
};

export class GraphPage {
  readonly panel: Locator;
  readonly canvas: Locator;

  constructor(private readonly page: Page) {
    this.panel = page.getByTestId('side-panel');
    this.canvas = page.getByTestId('graph-canvas');
  }

  async open(query = 'duration=5m&refresh=5'): Promise<void> {
    await this.page.goto(`/graph?${query}`);
    await expect(this.canvas).toBeVisible();
  }

  /** Ids of the nodes and edges drawn on the canvas right now. */
  drawn(): Promise<{ nodes: string[]; edges: string[] }> {
    return this.page.evaluate(() => {
      const cy = (window as unknown as { __meshlensCy?: Cy }).__meshlensCy;
      return cy
        ? { nodes: cy.nodes().map((n) => n.id()), edges: cy.edges().map((e) => e.id()) }
        : { nodes: [], edges: [] };
    });
  }

  /** Waits until every given node and edge is drawn. */
  async expectDrawn(nodes: string[], edges: string[], timeout = 90_000): Promise<void> {
    await expect
      .poll(
        async () => {
          const d = await this.drawn();
          return [...nodes.filter((n) => !d.nodes.includes(n)), ...edges.filter((e) => !d.edges.includes(e))];
        },
        { timeout, message: 'every expected node and edge on the graph' },
      )
      .toEqual([]);
  }

  async selectNode(id: string): Promise<void> {
    await this.page.getByRole('combobox', { name: 'Go to node', exact: true }).selectOption(id);
  }

  async selectEdge(id: string): Promise<void> {
    await this.page.getByRole('combobox', { name: 'Go to edge', exact: true }).selectOption(id);
  }

  /** The drawn edge into `target` from a node whose id starts with `fromPrefix`, with the highest error rate. */
  async worstEdgeInto(target: string, fromPrefix: string): Promise<string | undefined> {
    return this.page.evaluate(
      ([t, prefix]) => {
        type E = { id(): string; data(k: string): unknown };
        const cy = (window as unknown as { __meshlensCy?: { edges(): { toArray(): E[] } } }).__meshlensCy;
        const into = (cy?.edges().toArray() ?? []).filter(
          (e) => e.data('target') === t && String(e.data('source')).startsWith(prefix as string),
        );
        into.sort((a, b) => Number(b.data('errorRate') ?? 0) - Number(a.data('errorRate') ?? 0));
        return into[0]?.id();
      },
      [target, fromPrefix],
    );
  }

  endpointRows(): Locator {
    return this.panel.getByTestId('endpoint-row');
  }
}
