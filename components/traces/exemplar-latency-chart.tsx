'use client';
// A latency chart with exemplars: the percentile lines of a node or edge and, over them, one point per
// sampled request that Prometheus kept an exemplar of (its duration, its trace). A point is a link to its
// trace: from "p99 went up" to the request that did it in one click.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { alignSeries, type ChartSeries } from '@/components/charts/time-series-chart';
import { exemplarsOptions } from '@/lib/queries/traces';
import type { ExemplarPoint } from '@/lib/traces/api-types';
import { ApiErrorNotice } from './api-error-notice';

type Points = [number, number][];

export type ExemplarLatencyChartProps = ({ node: string } | { source: string; target: string }) & {
  /** Percentile series, [unix seconds, ms] (e.g. a drilldown's `latency`); the chart shows exemplars alone without. */
  latency?: { p50: Points; p95: Points; p99: Points };
  /** Window in unix seconds (default: the last 30 minutes). */
  start?: number;
  end?: number;
  dark?: boolean;
  height?: number;
};

const LINES = [
  { key: 'p50', colour: '#16a34a' },
  { key: 'p95', colour: '#d97706' },
  { key: 'p99', colour: '#dc2626' },
] as const;

/** Axis labels: `250ms`, `1.5s`. */
function shortMs(v: number): string {
  return v >= 1000 ? `${Number((v / 1000).toFixed(2))}s` : `${Number(v.toFixed(1))}ms`;
}

interface Placed {
  e: ExemplarPoint;
  left: number;
  top: number;
}

export function ExemplarLatencyChart(props: ExemplarLatencyChartProps) {
  const [fallbackEnd] = useState(() => Math.floor(Date.now() / 1000));
  const end = Math.floor(props.end ?? fallbackEnd);
  const start = Math.floor(props.start ?? end - 1800);
  const params = new URLSearchParams(
    'node' in props ? { node: props.node } : { source: props.source, target: props.target },
  );
  params.set('start', String(start));
  params.set('end', String(end));
  const ex = useQuery(exemplarsOptions(params.toString(), 30_000));
  // Stable between renders: the plot is rebuilt only when the exemplars change.
  const exemplars = useMemo(() => ex.data?.exemplars ?? [], [ex.data]);
  const count = exemplars.length;

  return (
    <figure className="text-xs" data-testid="exemplar-chart">
      <figcaption className="mb-1 font-medium">
        Latency with exemplars{' '}
        <span className="font-normal text-slate-600 dark:text-slate-400">
          ({count} sampled request{count === 1 ? '' : 's'}; click one to open its trace)
        </span>
      </figcaption>
      {ex.error ? <ApiErrorNotice error={ex.error} compact /> : null}
      <Plot
        latency={props.latency}
        exemplars={exemplars}
        dark={props.dark ?? false}
        height={props.height ?? 160}
      />
    </figure>
  );
}

function Plot({
  latency,
  exemplars,
  dark,
  height,
}: {
  latency?: ExemplarLatencyChartProps['latency'];
  exemplars: ExemplarPoint[];
  dark: boolean;
  height: number;
}) {
  const el = useRef<HTMLDivElement>(null);
  const [over, setOver] = useState<HTMLElement>();
  const [placed, setPlaced] = useState<Placed[]>([]);

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const series: ChartSeries[] = [
      ...LINES.map((l) => ({ label: l.key, points: latency?.[l.key] ?? [], colour: l.colour })),
      {
        label: 'exemplars',
        points: exemplars.map((e) => [e.timeMs / 1000, e.valueMs] as [number, number]),
        colour: '#0284c7',
      },
    ];
    const axis = {
      stroke: dark ? '#cbd5e1' : '#334155',
      grid: { stroke: dark ? '#334155' : '#e2e8f0', width: 1 },
    };
    const place = (u: uPlot) =>
      setPlaced(
        exemplars.map((e) => ({
          e,
          left: u.valToPos(e.timeMs / 1000, 'x'),
          top: u.valToPos(e.valueMs, 'y'),
        })),
      );
    const plot = new uPlot(
      {
        width: Math.max(200, node.clientWidth),
        height,
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
        axes: [
          axis,
          { ...axis, size: 52, values: (_u, vals) => vals.map((v) => (v == null ? '' : shortMs(v))) },
        ],
        series: [
          {},
          ...LINES.map((l) => ({ label: l.key, stroke: l.colour, width: 1.5 })),
          // Scales include the exemplars; the points themselves are links drawn over the plot.
          { label: 'exemplars', stroke: '#0284c7', paths: () => null, points: { show: false } },
        ],
        hooks: { draw: [place] },
      },
      alignSeries(series),
      node,
    );
    setOver(plot.over);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, node.clientWidth), height }));
    resize.observe(node);
    return () => {
      resize.disconnect();
      plot.destroy();
      setOver(undefined);
    };
  }, [latency, exemplars, dark, height]);

  return (
    <>
      <div ref={el} />
      {over
        ? createPortal(
            placed.map(({ e, left, top }) => (
              <Link
                key={e.traceId}
                href={`/traces/${e.traceId}`}
                data-exemplar-trace-id={e.traceId}
                aria-label={`Trace ${e.traceId.slice(0, 12)}: ${e.valueMs.toFixed(1)} ms at ${new Date(e.timeMs).toLocaleTimeString()}${e.responseCode ? `, HTTP ${e.responseCode}` : ''}`}
                title={`${e.valueMs.toFixed(1)} ms · ${e.source ?? '?'} → ${e.destination ?? '?'}${e.responseCode ? ` · ${e.responseCode}` : ''} · trace ${e.traceId.slice(0, 12)}`}
                className={`absolute z-10 h-2.5 w-2.5 -translate-x-1/2 -translate-y-1/2 rounded-full border border-white focus-visible:outline-2 focus-visible:outline-sky-500 ${
                  e.responseCode && /^[05]/.test(e.responseCode) ? 'bg-red-600' : 'bg-sky-600'
                }`}
                style={{ left, top }}
              />
            )),
            over,
          )
        : null}
    </>
  );
}
