'use client';
// The cytoscape canvas. Elements are diffed in place on each refresh — nodes keep their positions; the
// layout runs again only when nodes come or go, or the layout is switched; dragged nodes stay pinned.
import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTraceOverlay } from '@/components/traces/use-trace-overlay';
import { DETAIL_ZOOM, graphStyle } from './cy-style';
import { PREVIEW_MIN_NODES, paintPreview } from './graph-preview';
import { layeredPositions, type Position } from './layered-positions';
import {
  LARGE_GRAPH_NODES,
  type LayoutName,
  largeLayeredLayout,
  layoutOptions,
  viewportFor,
} from './layouts';
import { preloadLayout, runLayout, setViewportShortcuts } from './run-layout';
import { useSavedPositions } from './use-saved-positions';

export interface GraphCanvasProps {
  elements: ElementDefinition[];
  layout: LayoutName;
  dark: boolean;
  selected?: string;
  /** Increment to zoom to fit. */
  fitRequest: number;
  onSelect: (id: string | undefined) => void;
  /** Called each time a layout has finished. */
  onLaidOut?: () => void;
  summary: string;
  /** Put the instance on `window.__meshlensCy` for end-to-end tests (never in normal use). */
  exposeCy?: boolean;
  /** Where dragged positions are saved (one key per graph view, see `saved-positions.ts`). */
  positionsKey: string;
  /** Increment to forget the dragged positions and lay the graph out afresh. */
  resetRequest: number;
  /** A node to bring to the centre (`n` increments for each request). */
  centerRequest?: { id: string; n: number };
  /** The cytoscape instance, for the exports. */
  onCy?: (cy: Core | undefined) => void;
  /** The graph is being fetched (none to draw yet): the layout's script is loaded meanwhile. */
  waiting?: boolean;
  /**
   * The graph drawn is grouped (namespaces or apps as one node each, no boxes): laid out by our own
   * layered layout at any size, as a large graph is — ELK's 1.4 MB of script is not worth loading and
   * compiling before the first frame of ten namespaces.
   */
  grouped?: boolean;
}

export function GraphCanvas({
  elements,
  layout,
  dark,
  selected,
  fitRequest,
  onSelect,
  onLaidOut,
  summary,
  exposeCy = false,
  positionsKey,
  resetRequest,
  centerRequest,
  onCy,
  waiting = false,
  grouped = false,
}: GraphCanvasProps) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | undefined>(undefined);
  const laidOut = useRef<{ layout?: LayoutName; nodes: string }>({ nodes: '' });
  const large = useRef(false);
  // Whether a large graph is drawn with labels and arrows (zoomed in past DETAIL_ZOOM).
  const detail = useRef(false);
  const darkRef = useRef(dark);
  darkRef.current = dark;
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const onLaidOutRef = useRef(onLaidOut);
  onLaidOutRef.current = onLaidOut;

  const hidePreview = useCallback(() => {
    if (previewCanvas.current) previewCanvas.current.hidden = true;
    setPreparing(false);
    setEarlyInput(false);
  }, []);

  // Which layout run is current: a layout waiting for its extension is dropped when a newer one starts.
  const layoutGeneration = useRef(0);
  // Whether the user has panned or zoomed: until then a graph that grows is fitted again.
  const userMoved = useRef(false);
  // The container's size the view was last fitted to by the page (not the user): until the user moves,
  // the view is fitted again when the container changes size (the window resized, the controls' menu opened).
  const fittedTo = useRef<{ width: number; height: number } | undefined>(undefined);
  const onCyRef = useRef(onCy);
  onCyRef.current = onCy;
  // A very large graph's first draw: its preview is shown (see `graph-preview.ts`) until cytoscape's
  // first frame replaces it; `earlyInput` says the user tried to use it meanwhile.
  const previewCanvas = useRef<HTMLCanvasElement>(null);
  const [preparing, setPreparing] = useState(false);
  const [earlyInput, setEarlyInput] = useState(false);

  useEffect(() => {
    const cy = cytoscape({
      container: container.current,
      style: graphStyle(false),
      minZoom: 0.05,
      maxZoom: 4,
      boxSelectionEnabled: false,
    });
    cy.on('tap', 'node, edge', (evt) => {
      if (evt.target.data('nodeType') === 'box') return;
      onSelectRef.current(evt.target.id());
    });
    cy.on('tap', (evt) => {
      if (evt.target === cy) onSelectRef.current(undefined);
    });
    // A pan starts on the background; a zoom with the wheel or a pinch.
    cy.on('tapstart', (evt) => {
      if (evt.target === cy) userMoved.current = true;
    });
    const onWheel = () => {
      userMoved.current = true;
    };
    container.current?.addEventListener('wheel', onWheel, { passive: true });
    // Cytoscape's own resize (its ResizeObserver, debounced): the page's fit kept, not a view cut short.
    cy.on('resize', () => {
      const fitted = fittedTo.current;
      if (!fitted || userMoved.current || cy.nodes().empty()) return;
      if (fitted.width === cy.width() && fitted.height === cy.height()) return;
      fitView(cy, large.current);
      fittedTo.current = { width: cy.width(), height: cy.height() };
    });
    cy.on('zoom', () => {
      const wanted = cy.zoom() >= DETAIL_ZOOM;
      if (!large.current || wanted === detail.current) return;
      detail.current = wanted;
      cy.style(graphStyle(darkRef.current, true, wanted));
    });
    cyRef.current = cy;
    onCyRef.current?.(cy);
    const el = container.current;
    return () => {
      el?.removeEventListener('wheel', onWheel);
      onCyRef.current?.(undefined);
      cy.destroy();
      cyRef.current = undefined;
    };
  }, []);

  // After the instance is made (effects run in order): the hook listens on it.
  const { applySaved, clearSaved } = useSavedPositions(cyRef, positionsKey);

  useEffect(() => {
    const cy = cyRef.current;
    if (!exposeCy || !cy) return;
    const w = window as unknown as { __meshlensCy?: Core };
    w.__meshlensCy = cy;
    return () => {
      if (w.__meshlensCy === cy) w.__meshlensCy = undefined;
    };
  }, [exposeCy]);

  useEffect(() => {
    cyRef.current?.style(graphStyle(dark, large.current, detail.current));
  }, [dark]);

  useEffect(() => {
    if (waiting && !grouped) preloadLayout(layoutOptions(layout, true).name);
  }, [waiting, layout, grouped]);

  useTraceOverlay(cyRef);

  /** Lays the graph out, puts pinned nodes back, and fits it unless the user has moved the view. */
  const layoutNow = useRef((_fresh: boolean, _positions?: ReadonlyMap<string, Position>) => {});
  layoutNow.current = (fresh: boolean, positions?: ReadonlyMap<string, Position>) => {
    const cy = cyRef.current;
    if (!cy || cy.nodes().length === 0) return;
    // `data-layout` tells tests and the benchmark when the graph is drawn and laid out.
    container.current?.setAttribute('data-layout', 'running');
    const size = measure(cy);
    const count = cy.nodes().length;
    const options =
      layout === 'layered' && (count > LARGE_GRAPH_NODES || grouped)
        ? largeLayeredLayout(
            cy.nodes().map((n) => n.id()),
            cy.edges().map((e) => ({ source: e.source().id(), target: e.target().id() })),
            fresh,
            size,
            positions,
          )
        : layoutOptions(layout, fresh, count);
    const generation = ++layoutGeneration.current;
    runLayout(cy, options, {
      isCurrent: () => cyRef.current === cy && layoutGeneration.current === generation,
      onStop: () => {
        const pinned = applySaved();
        // The first fit, again when the graph grows past the view, until the user pans or zooms.
        if ((fresh && pinned > 0) || (!fresh && !userMoved.current && outgrown(cy))) cy.fit(cy.nodes(), 30);
        // The view is fitted to `size`; measured again (adding the elements may have taken seconds), the
        // 'resize' listener fits it again should the container have changed meanwhile.
        if (!userMoved.current) {
          fittedTo.current = size;
          cy.resize();
        }
        container.current?.setAttribute('data-layout', 'ready');
        onLaidOutRef.current?.();
        // The preview goes once cytoscape has drawn (on its next animation frame, before ours).
        if (previewCanvas.current && !previewCanvas.current.hidden) requestAnimationFrame(hidePreview);
      },
    });
  };

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    let nodeCount = 0;
    for (const e of elements) if (e.group === 'nodes') nodeCount++;
    const isLarge = nodeCount > LARGE_GRAPH_NODES;
    if (isLarge !== large.current) {
      large.current = isLarge;
      setViewportShortcuts(cy, isLarge);
      // A large graph starts zoomed out (the layout fits it): sparse, until zoomed in past DETAIL_ZOOM.
      detail.current = !isLarge;
      // Restyled before the elements arrive: on the first draw the graph is still empty.
      cy.style(graphStyle(darkRef.current, isLarge, detail.current));
    }
    const apply = (positions?: ReadonlyMap<string, Position>) => {
      // The ids to keep, made as the elements go in (after a large graph's preview frame, not before it).
      const wanted = new Set(elements.map((e) => e.data.id as string));
      cy.batch(() => {
        cy.elements().forEach((el) => {
          if (!wanted.has(el.id())) el.remove();
        });
        // New elements go in with one add (parents before children, nodes before edges, as listed).
        const added: ElementDefinition[] = [];
        for (const def of elements) {
          const el = cy.getElementById(def.data.id as string);
          if (el.empty()) {
            added.push(def);
            continue;
          }
          el.data(def.data);
          el.classes(def.classes ?? '');
          if (el.isNode() && (el.data('parent') ?? null) !== (el.parent().first().id() || null)) {
            el.move({ parent: (def.data.parent as string | undefined) ?? null });
          }
        }
        if (added.length > 0) cy.add(added);
      });
      const nodeIds = cy
        .nodes()
        .map((n) => n.id())
        .sort()
        .join('|');
      const prev = laidOut.current;
      if (nodeIds !== prev.nodes || layout !== prev.layout) {
        const fresh = prev.nodes === '' || layout !== prev.layout;
        laidOut.current = { layout, nodes: nodeIds };
        layoutNow.current(fresh, positions);
      }
    };
    // A very large graph's first draw: the preview is painted first, cytoscape's work starts once that frame is out.
    const canvas = previewCanvas.current;
    const nodeIds = elements.flatMap((e) => (e.group === 'nodes' ? [e.data.id as string] : []));
    if (!canvas || !cy.elements().empty() || layout !== 'layered' || nodeIds.length < PREVIEW_MIN_NODES) {
      apply();
      // A preview whose graph was replaced by one with nothing to lay out is not left standing.
      if (canvas && nodeIds.length === 0) hidePreview();
      return;
    }
    const positions = layeredPositions(
      nodeIds,
      elements.flatMap((e) =>
        e.group === 'edges' ? [{ source: e.data.source as string, target: e.data.target as string }] : [],
      ),
    );
    const size = measure(cy);
    const view = viewportFor(positions.values(), size);
    const ctx = canvas.getContext('2d');
    if (!view || !ctx) {
      apply(positions);
      return;
    }
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(size.width * ratio);
    canvas.height = Math.round(size.height * ratio);
    canvas.hidden = false;
    const background = getComputedStyle(container.current ?? canvas).backgroundColor;
    paintPreview(ctx, elements, positions, view, size, { dark: darkRef.current, background }, ratio);
    setPreparing(true);
    // Two animation frames: the second runs once the frame holding the preview is out.
    let frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(() => {
        performance.mark('graph-preview-painted');
        timer = setTimeout(() => apply(positions), 0);
      });
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [elements, layout, hidePreview]);

  // Also when elements arrive: a node selected from another view (found inside a grouped namespace) is drawn later.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy || elements.length === 0) return;
    cy.elements(':selected').unselect();
    if (selected) cy.getElementById(selected).select();
  }, [selected, elements]);

  useEffect(() => {
    if (fitRequest > 0) cyRef.current?.fit(undefined, 30);
  }, [fitRequest]);

  useEffect(() => {
    if (resetRequest === 0) return;
    clearSaved();
    userMoved.current = false;
    layoutNow.current(true);
  }, [resetRequest, clearSaved]);

  // A node to centre that is not drawn yet (its view is being fetched) is centred once it is.
  const pendingCenter = useRef<{ request?: { id: string; n: number }; id?: string }>({});
  useEffect(() => {
    const cy = cyRef.current;
    const pending = pendingCenter.current;
    if (centerRequest && centerRequest !== pending.request) {
      pending.request = centerRequest;
      pending.id = centerRequest.id;
    }
    const node = pending.id !== undefined && elements.length > 0 ? cy?.getElementById(pending.id) : undefined;
    if (!cy || !node || node.empty()) return;
    pending.id = undefined;
    userMoved.current = true;
    cy.zoom(Math.max(cy.zoom(), 1));
    cy.center(node);
  }, [centerRequest, elements]);

  return (
    <>
      <div
        ref={container}
        role="img"
        aria-label={summary}
        aria-busy={preparing}
        className="h-full w-full bg-slate-50 dark:bg-slate-900"
        data-testid="graph-canvas"
      />
      {/* The preview takes the pointer while shown, and says so when used: nothing is done silently. */}
      <canvas
        ref={previewCanvas}
        hidden
        role="img"
        aria-label="The whole graph, a preview while it is prepared for interaction"
        data-testid="graph-preview"
        className="absolute inset-0 h-full w-full cursor-progress"
        onPointerDown={() => setEarlyInput(true)}
        onWheel={() => setEarlyInput(true)}
      />
      {preparing ? (
        <p
          role="status"
          className="absolute bottom-2 left-2 rounded bg-white/90 px-2 py-1 text-xs text-slate-700 dark:bg-slate-950/90 dark:text-slate-300"
        >
          {earlyInput
            ? 'Still preparing the graph for interaction: selecting, panning and zooming work in a moment.'
            : 'The whole graph is shown; preparing it for interaction…'}
        </p>
      ) : null}
    </>
  );
}

/**
 * The container's size now. Cytoscape keeps the size it measured until its own resize, which comes 100 ms
 * after the container changed, and later still when the main thread is busy, as it is for seconds while a
 * large graph is added: a banner that used to come above the graph meanwhile (the control plane's, ~37 px;
 * notices are laid over the canvas now, `graph-notices.tsx`) left the 5,000-workload view fitted to a
 * canvas taller than the one shown, its lowest nodes cut off.
 */
function measure(cy: Core): { width: number; height: number } {
  cy.resize();
  return { width: cy.width(), height: cy.height() };
}

/**
 * Fits the view to every node: a large graph from the nodes' positions, as its first fit was (`viewportFor`,
 * not cytoscape's `fit`, which measures every element's rendered box: over half a second at thousands).
 */
function fitView(cy: Core, large: boolean): void {
  const view = large
    ? viewportFor(
        cy.nodes().map((n) => n.position()),
        { width: cy.width(), height: cy.height() },
      )
    : undefined;
  if (view) cy.viewport(view);
  else cy.fit(cy.nodes(), 30);
}

/** Whether some node lies outside what the viewport shows. */
function outgrown(cy: Core): boolean {
  const bb = cy.nodes().boundingBox({ includeLabels: false, includeOverlays: false });
  const view = cy.extent();
  return bb.x1 < view.x1 || bb.y1 < view.y1 || bb.x2 > view.x2 || bb.y2 > view.y2;
}
