import { describe, expect, it } from 'vitest';
import { readGraphViewState, writeGraphViewState } from './use-graph-url-state';

describe('graph view state in the URL', () => {
  it('reads defaults from an empty query and writes nothing back for them', () => {
    const s = readGraphViewState(new URLSearchParams(''));
    expect(s).toMatchObject({
      graphType: 'versionedApp',
      duration: '1m',
      refresh: 10,
      labels: 'rps',
      layout: 'layered',
    });
    expect(writeGraphViewState(s).toString()).toBe('');
  });

  it('round-trips a shared view', () => {
    const q =
      'namespaces=bookinfo%2Cshop&graphType=workload&duration=5m&refresh=0&labels=p95&layout=force&find=rps+%3E+5&hide=app%3Ddetails&selected=svc%3Abookinfo%3Areviews&at=1700000000&focus=app%3Abookinfo%3Areviews%3Av2&hops=3&group=app';
    const s = readGraphViewState(new URLSearchParams(q));
    expect(s).toEqual({
      namespaces: ['bookinfo', 'shop'],
      graphType: 'workload',
      duration: '5m',
      refresh: 0,
      labels: 'p95',
      layout: 'force',
      find: 'rps > 5',
      hide: 'app=details',
      selected: 'svc:bookinfo:reviews',
      at: 1700000000,
      focus: 'app:bookinfo:reviews:v2',
      hops: 3,
      group: 'app',
      security: false,
      traffic: ['http', 'grpc', 'tcp'],
      grpcRate: 'requests',
    });
    expect(readGraphViewState(writeGraphViewState(s))).toEqual(s);
  });

  it('ignores values it does not know', () => {
    const s = readGraphViewState(
      new URLSearchParams('graphType=galaxy&refresh=7&namespaces=ok,Not_OK&at=soon'),
    );
    expect(s.graphType).toBe('versionedApp');
    expect(s.refresh).toBe(10);
    expect(s.namespaces).toEqual(['ok']);
    expect(s.at).toBeUndefined();
  });

  it('keeps focus hops between 1 and 5', () => {
    expect(readGraphViewState(new URLSearchParams('focus=a&hops=9')).hops).toBe(2);
    expect(readGraphViewState(new URLSearchParams('focus=a&hops=0')).hops).toBe(2);
    const s = readGraphViewState(new URLSearchParams('hops=4'));
    expect(s.hops).toBe(4);
    expect(writeGraphViewState(s).toString()).toBe('hops=4');
  });

  it('keeps the traffic selector and the Security option: known protocols in Kiali’s order, never none', () => {
    const s = readGraphViewState(new URLSearchParams('traffic=tcp,bogus,grpc&grpcRate=received&security=1'));
    expect(s.traffic).toEqual(['grpc', 'tcp']);
    expect(s.grpcRate).toBe('received');
    expect(s.security).toBe(true);
    expect(writeGraphViewState(s).toString()).toBe('grpcRate=received&security=1&traffic=grpc%2Ctcp');
    expect(readGraphViewState(new URLSearchParams('traffic=bogus')).traffic).toEqual(['http', 'grpc', 'tcp']);
    expect(readGraphViewState(new URLSearchParams('grpcRate=bytes')).grpcRate).toBe('requests');
  });
});
