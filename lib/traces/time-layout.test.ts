import { describe, expect, it } from 'vitest';
import { barFor, formatDuration, MIN_BAR_WIDTH, niceStep, rulerTicks } from './time-layout';

describe('barFor', () => {
  const view = { start: 1000, end: 2000 };
  it('places a span as fractions of the view', () => {
    expect(barFor(1250, 1750, view)).toEqual({ left: 0.25, width: 0.5 });
  });
  it('gives a 0 µs span the minimum width, still inside the view', () => {
    expect(barFor(2000, 2000, view)).toEqual({ left: 1 - MIN_BAR_WIDTH, width: MIN_BAR_WIDTH });
  });
  it('clips spans reaching outside a zoomed view', () => {
    expect(barFor(500, 1500, view)).toEqual({ left: 0, width: 0.5 });
    expect(barFor(1900, 2600, view).left + barFor(1900, 2600, view).width).toBeCloseTo(1);
  });
});

describe('rulerTicks', () => {
  it('puts ticks at round steps from the trace start, labelled with offsets', () => {
    const ticks = rulerTicks({ start: 0, end: 1_000_000 }, 0, 5);
    expect(ticks.map((t) => t.label)).toEqual(['0μs', '200ms', '400ms', '600ms', '800ms', '1s']);
    expect(ticks.map((t) => t.position)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
  it('keeps offsets from the trace start when the view is zoomed in', () => {
    const ticks = rulerTicks({ start: 10_350, end: 10_850 }, 10_000, 5);
    expect(ticks.map((t) => t.label)).toEqual(['400μs', '500μs', '600μs', '700μs', '800μs']);
    expect(ticks[0]?.position).toBeCloseTo(0.1);
  });
  it('answers one tick for an empty trace', () => {
    expect(rulerTicks({ start: 5, end: 5 }, 5)).toHaveLength(1);
  });
});

describe('niceStep and formatDuration', () => {
  it('rounds steps up to 1, 2 or 5 × 10^k', () => {
    expect([niceStep(0.7), niceStep(3), niceStep(7), niceStep(120), niceStep(2000)]).toEqual([
      1, 5, 10, 200, 2000,
    ]);
  });
  it('prints durations in the unit Jaeger UI would', () => {
    expect([
      formatDuration(850),
      formatDuration(1234),
      formatDuration(2_500_000),
      formatDuration(185_000_000),
    ]).toEqual(['850μs', '1.23ms', '2.5s', '3m 5s']);
  });
});
