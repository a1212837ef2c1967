import { describe, expect, it } from 'vitest';
import { loadPositions, positionsKey, storePositions, withPosition } from './saved-positions';

function memory() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    size: () => m.size,
  };
}

describe('saved node positions', () => {
  it('are kept per view, whatever the namespaces order', () => {
    expect(positionsKey({ graphType: 'app', namespaces: ['b', 'a'] })).toBe(
      positionsKey({ graphType: 'app', namespaces: ['a', 'b'] }),
    );
    expect(positionsKey({ graphType: 'app', namespaces: [] })).not.toBe(
      positionsKey({ graphType: 'workload', namespaces: [] }),
    );
  });

  it('round-trip through storage, and a reset removes them', () => {
    const s = memory();
    const p = withPosition(withPosition({}, 'a', { x: 1.4, y: 2 }), 'b', { x: -5, y: 7.6 });
    storePositions(s, 'k', p);
    expect(loadPositions(s, 'k')).toEqual({ a: { x: 1, y: 2 }, b: { x: -5, y: 8 } });
    storePositions(s, 'k', {});
    expect(s.size()).toBe(0);
  });

  it('ignore what is not positions', () => {
    const s = memory();
    s.setItem('k', '{"a":{"x":1,"y":"2"},"b":{"x":3,"y":4},"c":null}');
    expect(loadPositions(s, 'k')).toEqual({ b: { x: 3, y: 4 } });
    s.setItem('k', 'not json');
    expect(loadPositions(s, 'k')).toEqual({});
    expect(loadPositions(undefined, 'k')).toEqual({});
  });

  it('keep the latest drags up to the bound', () => {
    let p = {};
    for (const id of ['a', 'b', 'c', 'a']) p = withPosition(p, id, { x: 0, y: 0 }, 2);
    expect(Object.keys(p)).toEqual(['c', 'a']);
  });
});
