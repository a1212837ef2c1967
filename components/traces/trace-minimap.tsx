'use client';
// The minimap over the waterfall, as Jaeger UI has it: every span of the trace (folded or not) drawn as a
// thin bar on one canvas, the zoomed window shaded; drag across it to zoom the waterfall to that time.
import { useEffect, useRef, useState } from 'react';
import type { SpanNode, TraceTree } from '@/lib/traces/span-tree';
import type { ViewRange } from '@/lib/traces/time-layout';
import { afterPaint } from './after-paint';

export const MINIMAP_HEIGHT = 56;
/** Up to this many spans the minimap is drawn at once, in the same frame as the rows. */
const DRAW_AT_ONCE_MAX_SPANS = 2_000;

/** Bars drawn per task: a 100,000-span trace is drawn in tasks of a few ms, the tab answering between them. */
const BARS_PER_TASK = 10_000;

/**
 * Every span as a thin bar, one fill colour at a time; a big trace after the first paint and in slices.
 * Answers a function that stops the drawing.
 */
function draw(
  canvas: HTMLCanvasElement,
  ctx: CanvasRenderingContext2D,
  tree: TraceTree,
  colors: ReadonlyMap<string, string>,
): () => void {
  const width = canvas.clientWidth || 800;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(MINIMAP_HEIGHT * ratio);
  ctx.scale(ratio, ratio);
  ctx.clearRect(0, 0, width, MINIMAP_HEIGHT);
  const nodes = tree.nodes;
  const n = nodes.length;
  const total = Math.max(1, tree.duration);
  const rowH = MINIMAP_HEIGHT / Math.max(1, n);
  const h = Math.max(1, rowH);
  /** Spans ordered by fill colour (a counting sort): 100,000 rectangles but a dozen style changes. */
  const byColor = () => {
    const palette: string[] = [];
    const paletteIndex = new Map<string, number>();
    const colorOf = new Uint16Array(n);
    const counts: number[] = [];
    for (let i = 0; i < n; i++) {
      const node = nodes[i] as SpanNode;
      const color = node.isError ? '#dc2626' : (colors.get(node.serviceName) ?? '#64748b');
      let c = paletteIndex.get(color);
      if (c === undefined) {
        c = palette.push(color) - 1;
        paletteIndex.set(color, c);
        counts.push(0);
      }
      colorOf[i] = c;
      counts[c] = (counts[c] as number) + 1;
    }
    const next = new Int32Array(palette.length);
    for (let c = 1; c < palette.length; c++) next[c] = (next[c - 1] as number) + (counts[c - 1] as number);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[(next[colorOf[i] as number] as number)++] = i;
    return { palette, colorOf, order };
  };
  let k = 0;
  let fill = -1;
  let sorted: ReturnType<typeof byColor> | undefined;
  const bars = (count: number) => {
    sorted ??= byColor();
    const { palette, colorOf, order } = sorted;
    const stop = Math.min(n, k + count);
    for (; k < stop; k++) {
      const i = order[k] as number;
      const node = nodes[i] as SpanNode;
      if (colorOf[i] !== fill) {
        fill = colorOf[i] as number;
        ctx.fillStyle = palette[fill] as string;
      }
      const x = ((node.startTime - tree.startTime) / total) * width;
      const w = Math.max(1, ((node.endTime - node.startTime) / total) * width);
      ctx.fillRect(x, i * rowH, w, h);
    }
  };
  if (n <= DRAW_AT_ONCE_MAX_SPANS) {
    bars(n);
    return () => {};
  }
  let timer: number | undefined;
  const slice = () => {
    bars(BARS_PER_TASK);
    if (k < n) timer = window.setTimeout(slice, 0);
  };
  const cancelFirst = afterPaint(slice);
  return () => {
    cancelFirst();
    if (timer !== undefined) window.clearTimeout(timer);
  };
}

export function TraceMinimap({
  tree,
  colors,
  view,
  onView,
}: {
  tree: TraceTree;
  colors: ReadonlyMap<string, string>;
  view: ViewRange;
  onView: (view: ViewRange) => void;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | undefined>();

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    // A big trace's 100,000 bars are drawn after the first rows are on screen, a slice a task.
    return draw(canvas, ctx, tree, colors);
  }, [tree, colors]);

  const fractionAt = (clientX: number) => {
    const rect = canvasRef.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return 0;
    return Math.min(1, Math.max(0, (clientX - rect.left) / rect.width));
  };
  const total = Math.max(1, tree.duration);
  const shadeLeft = (view.start - tree.startTime) / total;
  const shadeRight = (view.end - tree.startTime) / total;
  const finish = () => {
    if (drag && Math.abs(drag.to - drag.from) > 0.005) {
      const a = Math.min(drag.from, drag.to);
      const b = Math.max(drag.from, drag.to);
      onView({ start: tree.startTime + a * total, end: tree.startTime + b * total });
    }
    setDrag(undefined);
  };
  return (
    <div
      className="relative border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-950"
      style={{ height: MINIMAP_HEIGHT }}
    >
      <canvas
        ref={canvasRef}
        role="img"
        aria-label={`Minimap of all ${tree.nodes.length} spans; drag across it to zoom the timeline`}
        data-testid="trace-minimap"
        className="block h-full w-full cursor-crosshair"
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          const f = fractionAt(e.clientX);
          setDrag({ from: f, to: f });
        }}
        onPointerMove={(e) => drag && setDrag({ ...drag, to: fractionAt(e.clientX) })}
        onPointerUp={finish}
      />
      {/* Outside the zoomed window is shaded. */}
      <div
        aria-hidden
        className="pointer-events-none absolute inset-y-0 left-0 bg-slate-500/25"
        style={{ width: `${Math.max(0, shadeLeft) * 100}%` }}
      />
      <div
        aria-hidden
        className="pointer-events-none absolute inset-y-0 right-0 bg-slate-500/25"
        style={{ width: `${Math.max(0, 1 - shadeRight) * 100}%` }}
      />
      {drag ? (
        <div
          aria-hidden
          className="pointer-events-none absolute inset-y-0 border-x border-sky-600 bg-sky-500/20"
          style={{
            left: `${Math.min(drag.from, drag.to) * 100}%`,
            width: `${Math.abs(drag.to - drag.from) * 100}%`,
          }}
        />
      ) : null}
    </div>
  );
}
