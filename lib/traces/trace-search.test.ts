import { describe, expect, it } from 'vitest';
import type { JaegerClient, JaegerResult, TraceSearch } from '@/lib/jaeger/client';
import type { Trace } from '@/lib/jaeger/model';
import { parseSearchState, type SearchState } from './search-params';
import { bookinfoFailingTrace } from './testdata/bookinfo-trace';
import { makeTrace } from './testdata/make-trace';
import { findFailingRequests, jaegerServiceOf, searchTraces, targetedSearch } from './trace-search';

const state = (query: string): SearchState => {
  const r = parseSearchState(new URLSearchParams(query));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.state;
};

/** An in-memory Jaeger: traces by service, searches recorded; `down` services fail. */
function fakeJaeger(byService: Record<string, Trace[]>, down: string[] = []) {
  const searches: TraceSearch[] = [];
  const unavailable = { kind: 'unavailable', message: 'down' } as const;
  const client: JaegerClient = {
    apiVersion: 'v1',
    services: async () => ({ ok: true, value: Object.keys(byService) }),
    operations: async () => ({ ok: true, value: [] }),
    findTraces: async (search): Promise<JaegerResult<Trace[]>> => {
      searches.push(search);
      if (down.includes(search.service)) return { ok: false, error: unavailable };
      return { ok: true, value: byService[search.service] ?? [] };
    },
    getTrace: async () => ({ ok: false, error: { kind: 'not_found', message: 'no' } }),
    getTraceAnswer: async () => ({ ok: false, error: { kind: 'not_found', message: 'no' } }),
    dependencies: async () => ({ ok: true, value: [] }),
  };
  return { client, searches };
}

const okTrace = (id: string, start: number, service: string) =>
  makeTrace([{ id: 's1', start, duration: 10, service }], id);
const errTrace = (id: string, start: number, service: string) =>
  makeTrace([{ id: 's1', start, duration: 10, service, tags: { error: true } }], id);

describe('searchTraces', () => {
  it('searches the one service named', async () => {
    const { client, searches } = fakeJaeger({ a: [okTrace('t1', 1, 'a')], b: [] });
    const r = await searchTraces(client, state('service=a'), 1_000);
    expect(searches.map((p) => p.service)).toEqual(['a']);
    expect(r.ok && r.value.traces.map((t) => t.traceID)).toEqual(['t1']);
  });

  it('fans out over every service when none is named, merging duplicates newest first', async () => {
    const shared = okTrace('shared', 5, 'a');
    const { client, searches } = fakeJaeger({
      a: [okTrace('t1', 1, 'a'), shared],
      b: [shared, okTrace('t2', 9, 'b')],
    });
    const r = await searchTraces(client, state('limit=10'), 1_000);
    expect(searches.map((p) => p.service).sort()).toEqual(['a', 'b']);
    expect(r.ok && r.value.traces.map((t) => t.traceID)).toEqual(['t2', 'shared', 't1']);
  });

  it('keeps only error traces for errors only, and passes error=true to Jaeger', async () => {
    const { client, searches } = fakeJaeger({ a: [okTrace('ok', 1, 'a'), errTrace('bad', 2, 'a')] });
    const r = await searchTraces(client, state('service=a&errors=1'), 1_000);
    expect(searches[0]?.tags).toEqual({ error: 'true' });
    expect(r.ok && r.value.traces.map((t) => t.traceID)).toEqual(['bad']);
  });

  it('answers what it found with a warning when some services failed, an error when all did', async () => {
    const partial = await searchTraces(
      fakeJaeger({ a: [okTrace('t1', 1, 'a')], b: [] }, ['b']).client,
      state(''),
      1,
    );
    expect(partial.ok && partial.value.warnings).toEqual(['b: down']);
    const none = await searchTraces(fakeJaeger({ a: [] }, ['a']).client, state(''), 1);
    expect(none).toEqual({ ok: false, error: { kind: 'unavailable', message: 'down' } });
  });
});

describe('findFailingRequests', () => {
  const graph = { graphType: 'versionedApp', injectServiceNodes: true } as const;

  it("searches an edge's caller for error traces and keeps those failing on that edge", async () => {
    const { client, searches } = fakeJaeger({
      'reviews.default': [bookinfoFailingTrace, errTrace('elsewhere', 1, 'reviews.default')],
      'ratings.default': [],
    });
    const r = await findFailingRequests(
      client,
      {
        element: { source: 'app:default:reviews:v2', target: 'svc:default:ratings' },
        graph,
        state: state('limit=5'),
      },
      1_000,
    );
    // Narrowly first (the caller's failed client spans towards ratings), then broadly as too few were found.
    expect(searches.map((p) => [p.service, p.tags])).toEqual([
      ['reviews.default', { error: 'true', 'istio.canonical_revision': 'v2', 'peer.service': 'ratings' }],
      ['reviews.default', { error: 'true' }],
    ]);
    expect(
      r.ok && r.value.traces.map((t) => [t.traceID, t.failingSpan?.statusCode, t.failingSpan?.responseFlags]),
    ).toEqual([[bookinfoFailingTrace.traceID, 503, 'FI,URX']]);
  });

  it('searches every service for a node, whose failures may sit in its callers’ spans', async () => {
    const { client, searches } = fakeJaeger({
      'productpage.default': [],
      'reviews.default': [bookinfoFailingTrace],
    });
    const r = await findFailingRequests(
      client,
      { element: { node: 'svc:default:ratings' }, graph, state: state('') },
      1,
    );
    expect(searches.map((p) => p.service)).toEqual(['productpage.default', 'reviews.default']);
    expect(r.ok && r.value.traces).toHaveLength(1);
  });

  it('stops at the narrow search when it found enough', async () => {
    const { client, searches } = fakeJaeger({ 'reviews.default': [bookinfoFailingTrace] });
    const element = { source: 'app:default:reviews:v2', target: 'svc:default:ratings' };
    const r = await findFailingRequests(client, { element, graph, state: state('limit=1') }, 1);
    expect(searches).toHaveLength(1);
    expect(r.ok && r.value.traces).toHaveLength(1);
  });

  it('narrows an edge out of a service node to the target workload’s failed spans', () => {
    expect(targetedSearch({ source: 'svc:default:ratings', target: 'app:default:ratings:v1' })).toEqual({
      service: 'ratings.default',
      tags: { error: 'true', 'istio.canonical_revision': 'v1' },
    });
    expect(targetedSearch({ node: 'svc:default:ratings' })).toBeUndefined();
  });

  it('names Jaeger services the Istio way', () => {
    expect(
      [
        'app:default:reviews:v2',
        'box:default:reviews',
        'svc:default:ratings',
        'svc:default:httpbin.org',
        'unknown',
      ].map(jaegerServiceOf),
    ).toEqual(['reviews.default', 'reviews.default', 'ratings.default', undefined, undefined]);
  });
});
