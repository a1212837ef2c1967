import { describe, expect, it } from 'vitest';
import { HANDOFF_TTL_MS, MAX_HANDOFFS, offerGraph, takeGraph } from './prefetch-handoff';
import type { Graph } from './types';

const graph = (t: number) => ({ timestamp: t }) as Graph;

describe('prefetch handoff', () => {
  it('answers the same query once', async () => {
    offerGraph('a=1', graph(1), 1000);
    expect(takeGraph('a=2', 1001)).toBeUndefined();
    expect((await takeGraph('a=1', 1001))?.timestamp).toBe(1);
    expect(takeGraph('a=1', 1002)).toBeUndefined();
  });

  it('forgets a graph nobody asked for in time', () => {
    offerGraph('b=1', graph(2), 1000);
    expect(takeGraph('b=1', 1000 + HANDOFF_TTL_MS + 1)).toBeUndefined();
  });

  it('keeps at most MAX_HANDOFFS graphs, the oldest dropped', async () => {
    for (let i = 0; i <= MAX_HANDOFFS; i++) offerGraph(`c=${i}`, graph(i), 5000);
    expect(takeGraph('c=0', 5001)).toBeUndefined();
    expect((await takeGraph(`c=${MAX_HANDOFFS}`, 5001))?.timestamp).toBe(MAX_HANDOFFS);
  });

  it('hands over a graph still being built, however long its build takes', async () => {
    let resolve: (g: Graph) => void = () => {};
    offerGraph('d=1', new Promise<Graph>((r) => (resolve = r)), 1000);
    const taken = takeGraph('d=1', 1000 + HANDOFF_TTL_MS + 1);
    expect(taken).toBeInstanceOf(Promise);
    resolve(graph(4));
    expect((await taken)?.timestamp).toBe(4);
  });

  it('withdraws a build that fails', async () => {
    let reject: (e: Error) => void = () => {};
    const failing = new Promise<Graph>((_, r) => (reject = r));
    offerGraph('e=1', failing);
    reject(new Error('prometheus down'));
    await failing.catch(() => {});
    expect(takeGraph('e=1')).toBeUndefined();
  });
});
