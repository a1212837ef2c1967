'use client';
// The flame graph view: spans merged by their path from the root, each frame as wide as its time; a
// frame is a button (keyboard-reachable) that zooms into it, "Reset" zooms back out.
import { useMemo, useState } from 'react';
import { flameGraph } from '@/lib/traces/flame-graph';
import type { TraceTree } from '@/lib/traces/span-tree';
import { formatDuration } from '@/lib/traces/time-layout';
import { selfTime } from '@/lib/traces/trace-stats';

const FRAME_HEIGHT = 22;

export function FlameGraphView({ tree, colors }: { tree: TraceTree; colors: ReadonlyMap<string, string> }) {
  const frames = useMemo(
    () =>
      flameGraph(tree, (node) =>
        selfTime(
          node,
          node.childKeys.map((k) => tree.byKey.get(k)).filter((c) => c !== undefined),
        ),
      ),
    [tree],
  );
  const [focus, setFocus] = useState<
    { id: string; left: number; width: number; depth: number } | undefined
  >();
  const visible = focus
    ? frames.filter(
        (f) =>
          f.depth >= focus.depth &&
          f.left >= focus.left - 1e-9 &&
          f.left + f.width <= focus.left + focus.width + 1e-9,
      )
    : frames;
  const scale = focus ? 1 / focus.width : 1;
  const offset = focus ? focus.left : 0;
  const baseDepth = focus ? focus.depth : 0;
  const depth = visible.reduce((m, f) => Math.max(m, f.depth - baseDepth + 1), 0);
  return (
    <div className="min-h-0 flex-1 overflow-auto p-4">
      <div className="mb-2 flex items-center gap-2 text-xs">
        <span className="text-slate-600 dark:text-slate-300">
          Spans merged by their path from the root; width is time. Select a frame to zoom into it.
        </span>
        <button
          type="button"
          disabled={!focus}
          onClick={() => setFocus(undefined)}
          className="rounded border border-slate-300 px-2 py-0.5 disabled:opacity-40 focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-700"
        >
          Reset flame graph zoom
        </button>
      </div>
      <section
        aria-label="Flame graph"
        data-testid="flame-graph"
        className="relative w-full"
        style={{ height: depth * FRAME_HEIGHT }}
      >
        {visible.map((f) => {
          const width = Math.min(1, f.width * scale);
          if (width < 0.002) return null;
          return (
            <button
              key={f.id}
              type="button"
              title={`${f.name}: ${formatDuration(f.total)} total, ${formatDuration(f.self)} self, ${f.spanCount} spans`}
              onClick={() => setFocus({ id: f.id, left: f.left, width: f.width, depth: f.depth })}
              className="absolute overflow-hidden truncate rounded-sm border-y border-r border-white px-1 text-left text-[11px] leading-5 text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-950 dark:text-slate-100"
              style={{
                left: `${(f.left - offset) * scale * 100}%`,
                width: `${width * 100}%`,
                top: (f.depth - baseDepth) * FRAME_HEIGHT,
                height: FRAME_HEIGHT - 1,
                // A 20% tint of the service colour keeps dark (light, in dark mode) text readable on every hue.
                backgroundColor: `${colors.get(f.service) ?? '#475569'}33`,
                borderLeft: `4px solid ${colors.get(f.service) ?? '#475569'}`,
              }}
            >
              {f.name}
            </button>
          );
        })}
      </section>
    </div>
  );
}
