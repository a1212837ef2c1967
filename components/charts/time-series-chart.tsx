'use client';
// A time-series line chart on uPlot: one or more series of [unix seconds, value] points.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  points: [number, number][];
  colour: string;
}

export interface TimeSeriesChartProps {
  title: string;
  series: ChartSeries[];
  /** Formats a y value for the axis and the legend. */
  format?: (v: number) => string;
  height?: number;
  dark?: boolean;
}

/** Aligns the series on the union of their timestamps (uPlot's data shape); gaps are null. */
export function alignSeries(series: readonly ChartSeries[]): uPlot.AlignedData {
  const times = [...new Set(series.flatMap((s) => s.points.map(([t]) => t)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = series.map((s) => {
    const col: (number | null)[] = new Array(times.length).fill(null);
    for (const [t, v] of s.points) col[index.get(t) as number] = Number.isFinite(v) ? v : null;
    return col;
  });
  return [times, ...columns] as uPlot.AlignedData;
}

export function TimeSeriesChart({ title, series, format, height = 140, dark = false }: TimeSeriesChartProps) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const axisColour = dark ? '#cbd5e1' : '#334155';
    const grid = { stroke: dark ? '#334155' : '#e2e8f0', width: 1 };
    const fmt = format ?? ((v: number) => v.toPrecision(3));
    const plot = new uPlot(
      {
        width: Math.max(200, node.clientWidth),
        height,
        legend: { show: true, live: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [
          { stroke: axisColour, grid },
          {
            stroke: axisColour,
            grid,
            size: 60,
            values: (_u, vals) => vals.map((v) => (v == null ? '' : fmt(v))),
          },
        ],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.colour,
            width: 1.5,
            value: (_u: uPlot, v: number | null) => (v == null ? '–' : fmt(v)),
          })),
        ],
      },
      alignSeries(series),
      node,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, node.clientWidth), height }));
    resize.observe(node);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series, format, height, dark]);
  const empty = series.every((s) => s.points.length === 0);
  return (
    <figure className="text-xs">
      <figcaption className="mb-1 font-medium">{title}</figcaption>
      {empty ? (
        <p className="text-slate-500 dark:text-slate-400">No data in this window.</p>
      ) : (
        <div ref={el} />
      )}
    </figure>
  );
}
