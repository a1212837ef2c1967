import { describe, expect, it } from 'vitest';
import { firstScreen, initialSelection } from './first-screen';
import { buildSpanTree } from './span-tree';
import { makeTrace, type SpanSpec } from './testdata/make-trace';

describe('firstScreen (how the waterfall opens, in the tab and in the server preview)', () => {
  it('selects the span asked for, else the deepest error, else the first span', () => {
    const tree = buildSpanTree(
      makeTrace([
        { id: 'a', start: 0, duration: 10 },
        { id: 'b', start: 1, duration: 5, parent: 'a', tags: { error: true } },
        { id: 'c', start: 2, duration: 2, parent: 'b', tags: { error: true } },
        { id: 'd', start: 6, duration: 2, parent: 'a' },
      ]),
    );
    expect(initialSelection(tree, 'd')).toBe('d');
    expect(initialSelection(tree)).toBe('c');
    expect(initialSelection(tree, 'not-there')).toBe('c');
    const screen = firstScreen(tree);
    expect(screen.rows.map((n) => n.key)).toEqual(['a', 'b', 'c', 'd']);
    expect(screen.collapsed.size).toBe(0);
  });

  it('opens a big trace folded, the selected span unfolded and its row the last of the screen', () => {
    // 6,001 spans (above COLLAPSE_ABOVE_SPANS): chains root → p → q → r → s; r (depth 3) opens folded.
    const specs: SpanSpec[] = [{ id: 'root', start: 0, duration: 100_000 }];
    for (let i = 0; i < 1500; i++) {
      specs.push({ id: `p${i}`, start: 10 * i, duration: 9, parent: 'root' });
      specs.push({ id: `q${i}`, start: 10 * i, duration: 8, parent: `p${i}` });
      specs.push({ id: `r${i}`, start: 10 * i, duration: 7, parent: `q${i}` });
      specs.push({ id: `s${i}`, start: 10 * i, duration: 6, parent: `r${i}` });
    }
    const tree = buildSpanTree(makeTrace(specs));
    const screen = firstScreen(tree, 's100', 10);
    expect(screen.selectedKey).toBe('s100');
    expect(screen.collapsed.has('r99')).toBe(true);
    expect(screen.collapsed.has('r100')).toBe(false);
    expect(screen.visibleCount).toBe(1 + 1500 * 3 + 1);
    expect(screen.rows.map((n) => n.key)).toEqual([
      'p98',
      'q98',
      'r98',
      'p99',
      'q99',
      'r99',
      'p100',
      'q100',
      'r100',
      's100',
    ]);
    // Without a span asked for: the top of the list.
    expect(firstScreen(tree, undefined, 3).rows.map((n) => n.key)).toEqual(['root', 'p0', 'q0']);
    expect(firstScreen(tree, undefined, 3).collapsed.has('r0')).toBe(true);
  });
});
