import { describe, expect, it } from 'vitest';
import { DETAIL_ZOOM, graphStyle } from './cy-style';
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

describe('graphStyle levels of detail', () => {
  const style = (large: boolean, detail: boolean) =>
    graphStyle(false, large, detail) as unknown as { selector: string; style: Record<string, unknown> }[];
  const rule = (s: ReturnType<typeof style>, selector: string) =>
    s.find((r) => r.selector === selector)?.style;

  it('draws a zoomed-out large graph without node labels or arrows, but labels what is found or selected', () => {
    const sparse = style(true, false);
    expect(rule(sparse, 'node')?.label).toBe('');
    // No arrow (cytoscape's default shape is none), and no label or arrow properties to apply per element.
    expect(rule(sparse, 'edge')?.['mid-target-arrow-shape'] ?? 'none').toBe('none');
    expect(rule(sparse, 'node')?.['font-size']).toBeUndefined();
    expect(rule(sparse, 'edge')?.['target-arrow-color']).toBeUndefined();
    expect(rule(sparse, 'node.found, node:selected')).toMatchObject({
      label: 'data(label)',
      'font-size': 11,
    });
  });

  it('draws labels and arrows once zoomed in, and always on a small graph', () => {
    for (const s of [style(true, true), style(false, false), style(false, true)]) {
      expect(rule(s, 'node')?.label).toBe('data(label)');
      expect(rule(s, 'node.found, node:selected')).toBeUndefined();
    }
    expect(rule(style(true, true), 'edge')?.['mid-target-arrow-shape']).toBe('triangle');
    expect(rule(style(false, false), 'edge')?.['target-arrow-shape']).toBe('triangle');
    expect(DETAIL_ZOOM).toBeGreaterThan(0);
  });
});
