import { describe, expect, it } from 'vitest';
import { scatterLayout } from './scatter-layout';

describe('scatterLayout', () => {
  it('places traces by start time and duration, the duration axis from 0 to a round maximum', () => {
    const layout = scatterLayout([
      { traceID: 'a', startTime: 1_000_000, duration: 30_000, errorCount: 0 },
      { traceID: 'b', startTime: 3_000_000, duration: 70_000, errorCount: 2 },
      { traceID: 'c', startTime: 2_000_000, duration: 0, errorCount: 0 },
    ]);
    expect(layout.points).toEqual([
      { traceID: 'a', x: 0, y: 30_000 / 80_000, error: false },
      { traceID: 'b', x: 1, y: 70_000 / 80_000, error: true },
      { traceID: 'c', x: 0.5, y: 0, error: false },
    ]);
    expect(layout.yTicks.map((t) => t.label)).toEqual(['0μs', '20ms', '40ms', '60ms', '80ms']);
    expect(layout.xTicks).toHaveLength(5);
  });

  it('spreads a single trace into the middle of a padded time axis', () => {
    const layout = scatterLayout([{ traceID: 'a', startTime: 5_000_000, duration: 10, errorCount: 0 }]);
    expect(layout.points[0]?.x).toBe(0.5);
    expect(layout.points[0]?.y).toBeLessThanOrEqual(1);
  });

  it('draws nothing for no traces', () => {
    expect(scatterLayout([])).toEqual({ points: [], xTicks: [], yTicks: [] });
  });
});
