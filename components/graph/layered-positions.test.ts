import { describe, expect, it } from 'vitest';
import { layeredPositions } from './layered-positions';

describe('layeredPositions', () => {
  it('puts callers left of the called, by breadth-first depth from the roots', () => {
    const p = layeredPositions(
      ['db', 'api', 'web', 'cache'],
      [
        { source: 'web', target: 'api' },
        { source: 'api', target: 'db' },
        { source: 'api', target: 'cache' },
        { source: 'web', target: 'cache' },
      ],
      { layerGap: 100, nodeGap: 10 },
    );
    expect(p.get('web')?.x).toBe(0);
    expect(p.get('api')?.x).toBe(100);
    // cache is one hop from web: the shortest path decides the layer.
    expect(p.get('cache')?.x).toBe(100);
    expect(p.get('db')?.x).toBe(200);
    // Nodes of a layer do not overlap.
    expect(p.get('api')?.y).not.toBe(p.get('cache')?.y);
  });

  it('places every node, cycles and self-loops included, each at its own position', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const p = layeredPositions(ids, [
      { source: 'a', target: 'b' },
      { source: 'b', target: 'a' },
      { source: 'c', target: 'c' },
      { source: 'x', target: 'd' },
    ]);
    expect([...p.keys()].sort()).toEqual(ids);
    expect(new Set([...p.values()].map((v) => `${v.x},${v.y}`)).size).toBe(4);
  });

  it('wraps a tall layer into columns, keeping the aspect readable', () => {
    const leaves = Array.from({ length: 400 }, (_, i) => `leaf-${i}`);
    const p = layeredPositions(
      ['root', ...leaves],
      leaves.map((l) => ({ source: 'root', target: l })),
      { layerGap: 200, nodeGap: 50 },
    );
    const ys = leaves.map((l) => p.get(l)?.y as number);
    const xs = new Set(leaves.map((l) => p.get(l)?.x));
    expect(xs.size).toBeGreaterThan(1);
    expect(Math.max(...ys) - Math.min(...ys)).toBeLessThan(50 * 40);
    expect(new Set(leaves.map((l) => `${p.get(l)?.x},${p.get(l)?.y}`)).size).toBe(400);
    // Columns stand a label's width apart (100 by default), wider than the gap between rows.
    const columns = [...xs].map(Number).sort((a, b) => a - b);
    expect(columns[1]! - columns[0]!).toBe(100);
  });
});
