// The graph page as a user drives it: open it, wait for the mesh to be drawn, select a node or an edge
// (through the keyboard-accessible lists, or by clicking it on the canvas), read the side panel.
import { expect, type Locator, type Page } from '@playwright/test';

type Cy = {
  nodes(): { map<T>(f: (n: { id(): string }) => T): T[] };
  edges(): { map<T>(f: (e: { id(): string }) => T): T[] };
};

export class GraphPage {
  readonly panel: Locator;
  readonly canvas: Locator;
  /** The side panel's recent failing requests through the selected node or edge. */
  readonly failingRequests: Locator;
  /** The side panel's latency exemplars, each a link to its trace. */
  readonly exemplars: Locator;

  constructor(private readonly page: Page) {
    this.panel = page.getByTestId('side-panel');
    this.canvas = page.getByTestId('graph-canvas');
    this.failingRequests = this.panel.getByTestId('failing-requests');
    this.exemplars = this.panel.locator('[data-exemplar-trace-id]');
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

  /**
   * Waits for such an edge to be drawn; answers its id. A graph opened without auto-refresh on a young mesh may
   * have no such traffic yet: while the edge is missing, the graph is refreshed now, as a user would.
   */
  async expectWorstEdgeInto(target: string, fromPrefix: string, timeout = 60_000): Promise<string> {
    let edge: string | undefined;
    await expect
      .poll(
        async () => {
          edge = await this.worstEdgeInto(target, fromPrefix);
          if (!edge) await this.refreshNow();
          return edge;
        },
        {
          timeout,
          intervals: [1_000, 2_000, 5_000],
          message: `an edge from ${fromPrefix}… into ${target} on the graph`,
        },
      )
      .toBeTruthy();
    return edge as string;
  }

  /** Asks for the graph now, as the toolbar's refresh button does (not waiting for the next poll). */
  async refreshNow(): Promise<void> {
    await this.page.getByRole('button', { name: 'Refresh the graph now' }).click();
  }

  /** Where the edge is drawn on the canvas, in canvas pixels. */
  private midpoint(id: string): Promise<{ x: number; y: number }> {
    return this.page.evaluate((edgeId) => {
      type Cy = { getElementById(id: string): { renderedMidpoint(): { x: number; y: number } } };
      return (window as unknown as { __meshlensCy: Cy }).__meshlensCy
        .getElementById(edgeId)
        .renderedMidpoint();
    }, id);
  }

  /** Clicks the edge on the canvas, as a pointer would, once the layout has settled. */
  async clickEdge(id: string): Promise<void> {
    // Settled: two reads half a second apart agree.
    let last = '';
    await expect
      .poll(
        async () => {
          const p = await this.midpoint(id);
          const now = `${Math.round(p.x)},${Math.round(p.y)}`;
          const settled = now === last;
          last = now;
          return settled;
        },
        { intervals: [500], timeout: 30_000, message: 'the graph layout settles' },
      )
      .toBe(true);
    const box = await this.canvas.boundingBox();
    if (!box) throw new Error('the graph canvas is not on the page');
    const p = await this.midpoint(id);
    await this.page.mouse.click(box.x + p.x, box.y + p.y);
  }

  /** Waits until the canvas says its layout has finished. */
  async expectLaidOut(timeout = 90_000): Promise<void> {
    await expect(this.canvas).toHaveAttribute('data-layout', 'ready', { timeout });
  }

  /** Whether the element is dimmed (outside a focus). */
  isDimmed(id: string): Promise<boolean> {
    return this.page.evaluate((elId) => {
      type C = { getElementById(id: string): { hasClass(c: string): boolean } };
      return (window as unknown as { __meshlensCy: C }).__meshlensCy.getElementById(elId).hasClass('dimmed');
    }, id);
  }

  /** A node's position in the graph's own coordinates, and on the canvas in pixels. */
  position(id: string): Promise<{ model: { x: number; y: number }; rendered: { x: number; y: number } }> {
    return this.page.evaluate((nodeId) => {
      type P = { x: number; y: number };
      type C = { getElementById(id: string): { position(): P; renderedPosition(): P } };
      const n = (window as unknown as { __meshlensCy: C }).__meshlensCy.getElementById(nodeId);
      return { model: { ...n.position() }, rendered: { ...n.renderedPosition() } };
    }, id);
  }

  /** Drags a node on the canvas by (dx, dy) pixels, as a pointer would. */
  async dragNode(id: string, dx: number, dy: number): Promise<void> {
    const box = await this.canvas.boundingBox();
    if (!box) throw new Error('the graph canvas is not on the page');
    const { rendered } = await this.position(id);
    const x = box.x + rendered.x;
    const y = box.y + rendered.y;
    await this.page.mouse.move(x, y);
    await this.page.mouse.down();
    for (let i = 1; i <= 5; i++) await this.page.mouse.move(x + (dx * i) / 5, y + (dy * i) / 5);
    await this.page.mouse.up();
  }

  /** Clicks an export button and answers the downloaded file's name and bytes. */
  async export(format: 'PNG' | 'SVG' | 'JSON'): Promise<{ name: string; bytes: Buffer }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('button', { name: new RegExp(`as (a |an )?${format}`) }).click(),
    ]);
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    return { name: download.suggestedFilename(), bytes: await readFile(path) };
  }

  /** A drawn edge's classes, label and protocol (undefined while it is not drawn). */
  edgeInfo(id: string): Promise<{ classes: string[]; label: string; protocol: string } | undefined> {
    return this.page.evaluate((edgeId) => {
      type E = { empty(): boolean; classes(): string[]; data(k: string): unknown };
      const cy = (window as unknown as { __meshlensCy?: { getElementById(id: string): E } }).__meshlensCy;
      const e = cy?.getElementById(edgeId);
      if (!e || e.empty()) return undefined;
      return { classes: e.classes(), label: String(e.data('label')), protocol: String(e.data('protocol')) };
    }, id);
  }

  /** Waits until the edge is drawn with `cls` among its classes. */
  async expectEdgeClass(id: string, cls: string, timeout = 90_000): Promise<void> {
    await expect
      .poll(async () => (await this.edgeInfo(id))?.classes ?? [], {
        timeout,
        message: `${id} drawn as ${cls}`,
      })
      .toContain(cls);
  }

  /**
   * From now on the graph's answers come as `change` makes them from the real ones (`undefined`: the real
   * answer): the page's later polls, as when a backend goes down after the graph was drawn.
   */
  async alterGraphAnswers(
    change: (graph: {
      warnings: { code: string; message: string }[];
    }) => { status: number; json: unknown } | undefined,
  ): Promise<void> {
    await this.page.unroute(isGraphAnswer);
    await this.page.route(isGraphAnswer, async (route) => {
      const response = await route.fetch();
      const changed = change(await response.json());
      await route.fulfill(changed ? { response, ...changed } : { response });
    });
  }

  endpointRows(): Locator {
    return this.panel.getByTestId('endpoint-row');
  }
}

/** The graph itself (`/api/graph`), not a node's or an edge's details. */
const isGraphAnswer = (url: URL) => url.pathname === '/api/graph';
