import { describe, expect, it } from 'vitest';
import type { Graph } from '@/lib/graph/types';
import { statusLine } from './graph-view';

const graph = (timestamp: number, latencyTime?: number): Graph => ({
  timestamp,
  duration: 60,
  graphType: 'versionedApp',
  elements: { nodes: [], edges: [] },
  warnings: [],
  ...(latencyTime !== undefined ? { latencyTime } : {}),
});

describe('the graph status line', () => {
  it('says how old the latency is when it was read before the rates', () => {
    const t = 1_800_000_000;
    expect(statusLine(graph(t, t - 20), 3, 2)).toMatch(/^3 nodes · 2 edges · .+ \(latency as of .+\)$/);
    expect(statusLine(graph(t, t), 3, 2)).not.toContain('latency');
    expect(statusLine(graph(t), 3, 2)).not.toContain('latency');
  });
});
