'use client';
// The waterfall's time ruler: ticks at round offsets from the trace start; drag across it to zoom in.
import { useRef, useState } from 'react';
import { rulerTicks, type ViewRange } from '@/lib/traces/time-layout';

interface Props {
  view: ViewRange;
  traceStart: number;
  onZoom: (view: ViewRange) => void;
}

export function TimeRuler({ view, traceStart, onZoom }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | undefined>();
  const ticks = rulerTicks(view, traceStart, 5);
  const fractionAt = (clientX: number): number => {
    const rect = ref.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return 0;
    return Math.min(1, Math.max(0, (clientX - rect.left) / rect.width));
  };
  const finish = () => {
    if (drag && Math.abs(drag.to - drag.from) > 0.01) {
      const width = view.end - view.start;
      const a = Math.min(drag.from, drag.to);
      const b = Math.max(drag.from, drag.to);
      onZoom({ start: view.start + a * width, end: view.start + b * width });
    }
    setDrag(undefined);
  };
  return (
    <div
      ref={ref}
      role="presentation"
      title="Drag to zoom into a time range"
      className="relative h-7 cursor-col-resize select-none border-b border-slate-200 dark:border-slate-800"
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        const f = fractionAt(e.clientX);
        setDrag({ from: f, to: f });
      }}
      onPointerMove={(e) => drag && setDrag({ ...drag, to: fractionAt(e.clientX) })}
      onPointerUp={finish}
      onPointerCancel={() => setDrag(undefined)}
    >
      {ticks.map((t) => (
        <span
          key={t.offset}
          className="absolute top-0 h-full border-l border-slate-300 pl-1 text-[11px] leading-7 text-slate-600 dark:border-slate-700 dark:text-slate-400"
          style={{ left: `${t.position * 100}%` }}
        >
          {t.position < 0.97 ? t.label : null}
        </span>
      ))}
      {drag ? (
        <div
          className="absolute top-0 h-full bg-sky-400/30"
          style={{
            left: `${Math.min(drag.from, drag.to) * 100}%`,
            width: `${Math.abs(drag.to - drag.from) * 100}%`,
          }}
        />
      ) : null}
    </div>
  );
}

/** Vertical grid lines at the ruler's ticks, drawn behind each row's bar. */
export function TickLines({ positions }: { positions: readonly number[] }) {
  return (
    <>
      {positions.map((p) => (
        <span
          key={p}
          aria-hidden
          className="absolute top-0 h-full border-l border-slate-100 dark:border-slate-800/70"
          style={{ left: `${p * 100}%` }}
        />
      ))}
    </>
  );
}
