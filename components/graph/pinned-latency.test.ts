import { describe, expect, it } from 'vitest';
import type { Graph } from '@/lib/graph/types';
import { PINNED_LATENCY_ASKS_MS, pinnedLatencyAskMs } from './pinned-latency';

const graph = (over: Partial<Graph> = {}): Graph => ({
  timestamp: 1_800_000_000,
  duration: 60,
  graphType: 'versionedApp',
  elements: { nodes: [], edges: [] },
  warnings: [],
  ...over,
});
const STILL_READING = graph({
  warnings: [
    {
      code: 'latency_unavailable',
      message: 'latency is still being read (Prometheus takes longer than 10 s for this view)',
    },
  ],
});

describe('a pinned graph answered without its latency', () => {
  it('is asked again, spaced out, a bounded number of times', () => {
    const asks = [1, 2, 3, 4, 5].map((answers) => pinnedLatencyAskMs(STILL_READING, answers));
    expect(asks).toEqual([...PINNED_LATENCY_ASKS_MS, false, false].slice(0, 5));
    expect(asks.filter((ms) => ms !== false)).toHaveLength(3);
  });

  it('is not asked again once its answer has latency, or when latency was not asked for', () => {
    expect(pinnedLatencyAskMs(graph({ latencyTime: 1_800_000_000 }), 1)).toBe(false);
    expect(pinnedLatencyAskMs({ ...STILL_READING, latency: 'omitted' }, 1)).toBe(false);
    expect(pinnedLatencyAskMs(undefined, 0)).toBe(false);
  });

  it('is not asked again for another warning (the control plane, Envoy stats)', () => {
    const other = graph({ warnings: [{ code: 'control_plane_unavailable', message: 'refused' }] });
    expect(pinnedLatencyAskMs(other, 1)).toBe(false);
  });
});
