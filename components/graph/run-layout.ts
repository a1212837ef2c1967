// Running a cytoscape layout on the canvas: its extension (ELK, fCoSE) loaded the first time a layout
// needs it, a built-in layout when that fails; and the large graph's viewport shortcuts.
import cytoscape, { type Core, type LayoutOptions } from 'cytoscape';

/** The canvas renderer's viewport switches (read on each frame, so they can change with the graph's size). */
interface ViewportRenderer {
  hideEdgesOnViewport: boolean;
  textureOnViewport: boolean;
}

/** Large graphs: edges hidden and the rest drawn as a texture while panning and zooming. */
export function setViewportShortcuts(cy: Core, large: boolean): void {
  // `renderer()` is public in cytoscape but missing from its types.
  const r = (cy as unknown as { renderer(): ViewportRenderer | undefined }).renderer();
  if (!r) return;
  r.hideEdgesOnViewport = large;
  r.textureOnViewport = large;
}

/**
 * Layout extensions, loaded when a layout first needs them: ELK alone is 1.6 MB of script, which a large
 * graph (laid out by our own preset) never uses and a small one needs only once it has data.
 */
const EXTENSIONS: Record<string, () => Promise<{ default: cytoscape.Ext }>> = {
  elk: () => import('cytoscape-elk'),
  fcose: () => import('cytoscape-fcose'),
};
const loaded = new Set<string>();
const loading = new Map<string, Promise<void>>();

function loadExtension(name: string): Promise<void> {
  let p = loading.get(name);
  if (!p) {
    const load = EXTENSIONS[name];
    p = load
      ? load().then((m) => {
          cytoscape.use(m.default);
          loaded.add(name);
        })
      : Promise.resolve();
    // A failed load may be retried by the next layout.
    p.catch(() => loading.delete(name));
    loading.set(name, p);
  }
  return p;
}

/**
 * Loads a layout's extension ahead of need: while the page waits for a large graph's answer it is idle,
 * and ELK's 1.4 MB of script would otherwise be loaded and compiled after the answer, before the first frame.
 */
export function preloadLayout(name: string): void {
  if (!loaded.has(name) && EXTENSIONS[name]) loadExtension(name).catch(() => {});
}

/** Runs `options` once its extension is loaded, unless a newer layout has started meanwhile (`isCurrent`). */
export function runLayout(
  cy: Core,
  options: LayoutOptions,
  { isCurrent, onStop }: { isCurrent: () => boolean; onStop: () => void },
): void {
  const run = (o: LayoutOptions) => {
    const l = cy.layout(o);
    l.one('layoutstop', onStop);
    l.run();
  };
  if (loaded.has(options.name) || !EXTENSIONS[options.name]) {
    run(options);
    return;
  }
  loadExtension(options.name).then(
    () => isCurrent() && run(options),
    // The extension's script did not load (server gone, network): a built-in layout instead.
    () =>
      isCurrent() && run({ name: 'breadthfirst', directed: true, fit: true, padding: 30 } as LayoutOptions),
  );
}
