import { describe, expect, it } from 'vitest';
import { largeLayeredLayout, viewportFor } from './layouts';

describe('viewportFor', () => {
  it('centres the positions and zooms them into the viewport, padding and margin kept', () => {
    const v = viewportFor(
      [
        { x: 0, y: 0 },
        { x: 1000, y: 500 },
      ],
      { width: 560, height: 560 },
      { padding: 30, margin: 0 },
    );
    // 500 px across 1000 units wide: zoom 0.5; the centre (500, 250) lands at the viewport's centre.
    expect(v?.zoom).toBeCloseTo(0.5);
    expect(v?.pan.x).toBeCloseTo(280 - 0.5 * 500);
    expect(v?.pan.y).toBeCloseTo(280 - 0.5 * 250);
    // Every position is inside the padded viewport.
    for (const p of [
      { x: 0, y: 0 },
      { x: 1000, y: 500 },
    ]) {
      const sx = (v?.zoom ?? 0) * p.x + (v?.pan.x ?? 0);
      expect(sx).toBeGreaterThanOrEqual(30 - 1e-9);
      expect(sx).toBeLessThanOrEqual(530 + 1e-9);
    }
  });

  it('caps the zoom of a lone node and has nothing to fit for no positions or no room', () => {
    expect(viewportFor([{ x: 5, y: 5 }], { width: 800, height: 600 })?.zoom).toBe(1.5);
    expect(viewportFor([], { width: 800, height: 600 })).toBeUndefined();
    expect(viewportFor([{ x: 0, y: 0 }], { width: 40, height: 600 })).toBeUndefined();
  });
});

describe('largeLayeredLayout', () => {
  const edges = [{ source: 'a', target: 'b' }];
  it('sets zoom and pan itself on the first run, instead of cytoscape measuring every element', () => {
    const o = largeLayeredLayout(['a', 'b'], edges, true, { width: 800, height: 600 }) as unknown as Record<
      string,
      unknown
    >;
    expect(o.fit).toBe(false);
    expect(o.zoom).toEqual(expect.any(Number));
    expect(o.pan).toEqual({ x: expect.any(Number), y: expect.any(Number) });
  });

  it('keeps the viewport on later runs and falls back to fit without a viewport size', () => {
    const later = largeLayeredLayout(['a', 'b'], edges, false, {
      width: 800,
      height: 600,
    }) as unknown as Record<string, unknown>;
    expect([later.fit, later.zoom]).toEqual([false, undefined]);
    const unsized = largeLayeredLayout(['a', 'b'], edges, true) as unknown as Record<string, unknown>;
    expect([unsized.fit, unsized.zoom]).toEqual([true, undefined]);
  });
});
