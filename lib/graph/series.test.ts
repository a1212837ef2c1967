import { describe, expect, it } from 'vitest';
import { destinationOnlyCallers, toRequestSeries } from './series';
import { requestSample, type Side } from './test-samples';

const web: Side = { ns: 'shop', wl: 'web-v1', app: 'web', version: 'v1' };
const api: Side = { ns: 'shop', wl: 'api-v1', app: 'api', version: 'v1' };
const legacy: Side = { ns: 'old', wl: 'batch', app: 'batch', version: 'v1' };
const API = 'api.shop.svc.cluster.local';

describe('destinationOnlyCallers', () => {
  it('names the callers whose edges only the destination reports', () => {
    const samples = [
      // web has a proxy: both sides report web → api.
      requestSample({ reporter: 'source', from: web, to: api, service: API, rps: 5 }),
      requestSample({ reporter: 'destination', from: web, to: api, service: API, rps: 5 }),
      // Traffic from outside the mesh, and a caller without a proxy: only the destination reports.
      requestSample({ reporter: 'destination', to: api, service: API, rps: 1 }),
      requestSample({ reporter: 'destination', from: legacy, to: api, service: API, rps: 2 }),
    ];
    expect(destinationOnlyCallers(samples).sort()).toEqual(['batch', 'unknown']);
  });

  it('counts a caller as reporting only when its source-reported traffic to that service is above zero', () => {
    const idle = requestSample({ reporter: 'source', from: web, to: api, service: API, rps: 0 });
    const fromApi = requestSample({ reporter: 'destination', from: web, to: api, service: API, rps: 3 });
    expect(destinationOnlyCallers([idle, fromApi])).toEqual(['web-v1']);
    expect(destinationOnlyCallers([idle, { ...idle, value: 2 }, fromApi])).toEqual([]);
    // A caller reporting one service but not another is destination-only for the other.
    const toBatch = requestSample({
      reporter: 'destination',
      from: web,
      to: legacy,
      service: 'batch.old.svc.cluster.local',
      rps: 1,
    });
    expect(destinationOnlyCallers([{ ...idle, value: 2 }, fromApi, toBatch])).toEqual(['web-v1']);
    expect(destinationOnlyCallers([])).toEqual([]);
  });
});

describe('toRequestSeries', () => {
  it('reads shared (frozen) labels, whose strings it canonicalises once, as it reads a fresh copy', () => {
    const samples = [
      requestSample({ reporter: 'source', from: web, to: api, service: API, rps: 5 }),
      requestSample({
        reporter: 'destination',
        from: web,
        to: api,
        service: API,
        rps: 1,
        code: '503',
        principals: true,
      }),
      requestSample({ reporter: 'destination', to: api, service: API, rps: 2, protocol: 'grpc' }),
      requestSample({ reporter: 'source', from: legacy, service: 'httpbin.org', rps: 3, protocol: 'tcp' }),
    ];
    for (const s of samples) {
      const shared = { labels: Object.freeze({ ...s.labels }), value: s.value };
      expect(toRequestSeries(shared)).toEqual(toRequestSeries({ labels: { ...s.labels }, value: s.value }));
      // Read again (kept with the labels object): the same.
      expect(toRequestSeries(shared)).toEqual(toRequestSeries(s));
    }
    const other = requestSample({ reporter: 'source', from: web, to: api, service: API, rps: 1 });
    expect(toRequestSeries({ labels: { ...other.labels, reporter: 'both' }, value: 1 })).toBeUndefined();
    expect(
      toRequestSeries({ labels: Object.freeze({ ...other.labels, reporter: 'x' }), value: 1 }),
    ).toBeUndefined();
  });
});
