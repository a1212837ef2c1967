// The waterfall's time axis: where a span's bar sits, the ruler's ticks at round steps, and durations
// printed as Jaeger UI prints them (µs, ms, s).

export interface Bar {
  /** Fractions of the view's width, 0..1. */
  left: number;
  width: number;
}

/** A time window within a trace, in µs since the epoch (the whole trace, or a zoomed part of it). */
export interface ViewRange {
  start: number;
  end: number;
}

/** Narrowest bar drawn, as a fraction of the width, so that a 0 µs span is still visible and clickable. */
export const MIN_BAR_WIDTH = 0.002;

/** Where a span [start, end] (µs) sits in `view`, clipped to it. */
export function barFor(start: number, end: number, view: ViewRange): Bar {
  const span = Math.max(1, view.end - view.start);
  const left = Math.min(1, Math.max(0, (start - view.start) / span));
  const right = Math.min(1, Math.max(0, (end - view.start) / span));
  const width = Math.max(MIN_BAR_WIDTH, right - left);
  return { left: Math.min(left, 1 - MIN_BAR_WIDTH), width };
}

export interface Tick {
  /** Fraction of the width, 0..1. */
  position: number;
  /** µs from the start of the trace. */
  offset: number;
  label: string;
}

/** The smallest 1, 2 or 5 × 10^k that is at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

/**
 * Ruler ticks for `view` at round offsets from `traceStart` (µs), about `target` of them; labels are
 * offsets from the start of the trace, so zooming keeps them meaningful.
 */
export function rulerTicks(view: ViewRange, traceStart: number, target = 5): Tick[] {
  const width = view.end - view.start;
  if (!(width > 0)) return [{ position: 0, offset: view.start - traceStart, label: formatDuration(0) }];
  const step = niceStep(width / Math.max(1, target));
  const fromOffset = view.start - traceStart;
  const first = Math.ceil(fromOffset / step) * step;
  const ticks: Tick[] = [];
  for (let offset = first; offset <= view.end - traceStart + step * 1e-9; offset += step) {
    // Recompute from the index-free offset to keep float error out of the labels.
    const rounded = Math.round(offset / step) * step;
    ticks.push({ position: (rounded - fromOffset) / width, offset: rounded, label: formatDuration(rounded) });
  }
  return ticks;
}

function trimmed(n: number, digits: number): string {
  return Number(n.toFixed(digits)).toString();
}

/** A duration given in µs: `850μs`, `1.23ms`, `2.5s`, `3m 5s`. */
export function formatDuration(us: number): string {
  const abs = Math.abs(us);
  if (abs < 1000) return `${trimmed(us, 0)}μs`;
  if (abs < 1_000_000) return `${trimmed(us / 1000, 2)}ms`;
  if (abs < 60_000_000) return `${trimmed(us / 1_000_000, 2)}s`;
  const minutes = Math.floor(abs / 60_000_000);
  const seconds = Math.round((abs % 60_000_000) / 1_000_000);
  return `${us < 0 ? '-' : ''}${minutes}m ${seconds}s`;
}

/** A span's start relative to the trace's, for the detail pane. */
export function formatOffset(startTime: number, traceStart: number): string {
  return formatDuration(startTime - traceStart);
}
