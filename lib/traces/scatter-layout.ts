// The search page's scatter plot of trace duration over time: point positions and axis ticks, as
// fractions of the plot area (0,0 bottom-left), so the component only scales them.
import { formatDuration, niceStep } from './time-layout';

export interface ScatterInput {
  traceID: string;
  /** µs since the epoch. */
  startTime: number;
  /** µs. */
  duration: number;
  errorCount: number;
}

export interface ScatterPoint {
  traceID: string;
  x: number;
  y: number;
  error: boolean;
}

export interface AxisTick {
  at: number;
  label: string;
}

export interface ScatterLayout {
  points: ScatterPoint[];
  xTicks: AxisTick[];
  yTicks: AxisTick[];
}

function clock(us: number): string {
  const d = new Date(us / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Lays out traces: time left to right, duration bottom to top (from 0), errors flagged. */
export function scatterLayout(
  traces: readonly ScatterInput[],
  xTickCount = 5,
  yTickCount = 4,
): ScatterLayout {
  if (traces.length === 0) return { points: [], xTicks: [], yTicks: [] };
  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  let dMax = 0;
  for (const t of traces) {
    t0 = Math.min(t0, t.startTime);
    t1 = Math.max(t1, t.startTime);
    dMax = Math.max(dMax, t.duration);
  }
  // A single instant still gets a visible time axis: pad it by a second each side.
  if (t1 - t0 < 1) {
    t0 -= 1_000_000;
    t1 += 1_000_000;
  }
  const yStep = niceStep(Math.max(1, dMax) / yTickCount);
  const yMax = Math.max(yStep, Math.ceil(dMax / yStep) * yStep);
  const points = traces.map((t) => ({
    traceID: t.traceID,
    x: (t.startTime - t0) / (t1 - t0),
    y: t.duration / yMax,
    error: t.errorCount > 0,
  }));
  const yTicks: AxisTick[] = [];
  for (let v = 0; v <= yMax + yStep * 1e-9; v += yStep)
    yTicks.push({ at: v / yMax, label: formatDuration(v) });
  const xTicks: AxisTick[] = [];
  for (let i = 0; i <= xTickCount - 1; i++) {
    const at = i / (xTickCount - 1);
    xTicks.push({ at, label: clock(t0 + at * (t1 - t0)) });
  }
  return { points, xTicks, yTicks };
}
