import { describe, expect, it } from 'vitest';
import { rowWindow, scrollToReveal } from './virtual-window';

describe('rowWindow', () => {
  it('renders only the rows in view plus the overscan, padding the rest', () => {
    const w = rowWindow(2800, 560, 28, 2000, 5);
    expect(w).toEqual({ start: 95, end: 126, padTop: 95 * 28, padBottom: (2000 - 126) * 28 });
    expect(w.padTop + (w.end - w.start) * 28 + w.padBottom).toBe(2000 * 28);
  });
  it('clamps at both ends', () => {
    expect(rowWindow(0, 100, 20, 3, 8)).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 });
    expect(rowWindow(1e9, 100, 20, 10, 2).end).toBe(10);
    expect(rowWindow(0, 100, 20, 0)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });
});

describe('scrollToReveal', () => {
  it('scrolls up or down just enough, or not at all', () => {
    expect(scrollToReveal(2, 100, 200, 20)).toBe(40);
    expect(scrollToReveal(20, 100, 200, 20)).toBe(220);
    expect(scrollToReveal(8, 100, 200, 20)).toBeUndefined();
  });
});
