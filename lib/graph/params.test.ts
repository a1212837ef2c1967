import { describe, expect, it } from 'vitest';
import { parseDurationSeconds, parseGraphParams } from './params';

const parse = (q: string) => parseGraphParams(new URLSearchParams(q));

describe('graph parameters', () => {
  it('defaults to all namespaces, versionedApp, 60 s, now, service nodes injected', () => {
    expect(parse('')).toEqual({
      ok: true,
      value: {
        namespaces: [],
        graphType: 'versionedApp',
        duration: 60,
        queryTime: undefined,
        injectServiceNodes: true,
        includeIdleEdges: false,
        latency: true,
        rateGrpc: 'requests',
      },
    });
  });

  it('reads namespaces, graph type, duration and query time', () => {
    const r = parse(
      'namespaces=shop,bookinfo,shop&graphType=workload&duration=5m&queryTime=1700000000&injectServiceNodes=false',
    );
    expect(r).toEqual({
      ok: true,
      value: {
        namespaces: ['bookinfo', 'shop'],
        graphType: 'workload',
        duration: 300,
        queryTime: 1700000000,
        injectServiceNodes: false,
        includeIdleEdges: false,
        latency: true,
        rateGrpc: 'requests',
      },
    });
  });

  it('rejects namespaces that are not DNS labels, so they never reach PromQL', () => {
    const r = parse('namespaces=default,a"}or{');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/not a namespace name/);
  });

  it('rejects unknown graph types, bad durations and bad times', () => {
    expect(parse('graphType=galaxy').ok).toBe(false);
    expect(parse('duration=5x').ok).toBe(false);
    expect(parse('duration=1s').ok).toBe(false);
    expect(parse('queryTime=yesterday').ok).toBe(false);
  });

  it('converts durations', () => {
    expect(parseDurationSeconds('60s')).toBe(60);
    expect(parseDurationSeconds('1h')).toBe(3600);
    expect(parseDurationSeconds('1.5m')).toBeUndefined();
  });
});
