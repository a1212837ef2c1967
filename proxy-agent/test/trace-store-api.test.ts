// Contract tests over real HTTP: what the store answers for the fixtures' input has the shape, field by
// field, of what Jaeger answered (fixtures/jaeger), and the OTLP receiver answers as OTLP says.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJaegerClient } from '../../lib/jaeger/client';
import {
  DependenciesResponseSchema,
  ErrorResponseSchema,
  OperationNamesResponseSchema,
  OperationsResponseSchema,
  ServicesResponseSchema,
  TracesResponseSchema,
} from '../../lib/jaeger/model';
import { type RunningTraceStore, startTraceStore } from '../src/trace-store/index';

const FIXTURES = new URL('../../fixtures/jaeger/', import.meta.url);
const fixtureText = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');
const fixture = (name: string): unknown => JSON.parse(fixtureText(name));

let ts: RunningTraceStore;

beforeAll(async () => {
  ts = await startTraceStore({ otlpPort: 0, queryPort: 0, maxBodyBytes: 256 * 1024 });
});
afterAll(async () => {
  await ts?.close();
});

function post(body: BodyInit, headers: Record<string, string>) {
  return fetch(ts.otlpUrl, { method: 'POST', body, headers });
}
const postJson = (value: unknown) => post(JSON.stringify(value), { 'content-type': 'application/json' });
async function get(path: string) {
  const res = await fetch(`${ts.queryUrl}${path}`);
  return { status: res.status, body: (await res.json()) as unknown };
}

describe('Jaeger query API contract (fixtures recorded from Jaeger)', () => {
  beforeAll(async () => {
    expect(
      (await post(fixtureText('otlp2jaeger-in.json'), { 'content-type': 'application/json' })).status,
    ).toBe(200);
    const capture = fixture('parser-parity-capture.json') as { v3: { result: unknown } };
    expect((await postJson(capture.v3.result)).status).toBe(200);
  });

  it('answers /api/traces/{id} for otlp2jaeger-in.json exactly as Jaeger did (otlp2jaeger-out.json)', async () => {
    const { status, body } = await get('/api/traces/83a9efd15c1c98a977e0711cc93ee28b');
    expect(status).toBe(200);
    expect(body).toEqual(fixture('otlp2jaeger-out.json'));
  });

  it('answers /api/traces/{id} for the parity capture as its legacy half, and /api/v3/traces/{id} as its v3 half', async () => {
    const capture = fixture('parser-parity-capture.json') as { legacy: unknown; v3: unknown };
    expect((await get('/api/traces/f77950feed55c1ce91dd8e8789000001')).body).toEqual(capture.legacy);
    expect((await get('/api/v3/traces/f77950feed55c1ce91dd8e8789000001')).body).toEqual(capture.v3);
  });

  it('searches /api/traces by service, operation and tags inside a µs time window, in the traces envelope', async () => {
    const { status, body } = await get(
      `/api/traces?service=test-service&operation=test-op&tags=${encodeURIComponent('{"http.method":"GET"}')}&start=0&end=2000&limit=20&lookback=custom`,
    );
    expect(status).toBe(200);
    const parsed = TracesResponseSchema.parse(body);
    expect(parsed.data.map((t) => t.traceID)).toEqual(['f77950feed55c1ce91dd8e8789000001']);
    expect(parsed).toMatchObject({ total: 0, limit: 0, offset: 0, errors: null });
    // Outside the window, or with a tag nobody has: nothing.
    expect(
      TracesResponseSchema.parse((await get('/api/traces?service=test-service&start=5000&end=6000')).body)
        .data,
    ).toEqual([]);
    expect(
      TracesResponseSchema.parse(
        (await get('/api/traces?service=test-service&start=0&tag=http.method:POST')).body,
      ).data,
    ).toEqual([]);
  });

  it('lists services and operations in Jaeger envelopes', async () => {
    const services = ServicesResponseSchema.parse((await get('/api/services')).body);
    expect(services.data).toEqual(['telemetrygen', 'test-service']);
    expect(services.total).toBe(2);
    expect(
      OperationNamesResponseSchema.parse((await get('/api/services/test-service/operations')).body).data,
    ).toEqual(['test-op']);
    const ops = OperationsResponseSchema.parse(
      (await get('/api/operations?service=test-service&spanKind=server')).body,
    );
    expect(ops.data).toEqual([{ name: 'test-op', spanKind: 'server' }]);
    expect((await get('/api/v3/services')).body).toEqual({ services: ['telemetrygen', 'test-service'] });
    expect((await get('/api/v3/operations?service=telemetrygen')).body).toEqual({
      operations: [{ name: 'okey-dokey-0', spanKind: 'server' }],
    });
  });

  it('answers errors in Jaeger envelopes: 404 for an unknown trace, 400 for bad parameters', async () => {
    const missing = await get('/api/traces/0123456789abcdef');
    expect(missing.status).toBe(404);
    expect(ErrorResponseSchema.parse(missing.body).errors).toEqual([{ code: 404, msg: 'trace not found' }]);
    const noService = await get('/api/traces');
    expect(noService.status).toBe(400);
    expect(ErrorResponseSchema.parse(noService.body).errors).toEqual([
      { code: 400, msg: "parameter 'service' is required" },
    ]);
    const badDuration = await get('/api/traces?service=x&minDuration=soon');
    expect(badDuration.status).toBe(400);
    expect((await get('/api/traces/not-hex')).status).toBe(400);
    expect((await get('/api/v3/traces/0123456789abcdef')).status).toBe(404);
  });

  it('answers /api/dependencies in the envelope', async () => {
    const deps = DependenciesResponseSchema.parse(
      (await get(`/api/dependencies?endTs=${Date.now()}&lookback=3600000`)).body,
    );
    expect(deps.data).toEqual([]);
  });

  it('is read by the shared Jaeger client (lib/jaeger/client.ts) without a single parse error', async () => {
    const client = createJaegerClient({ baseUrl: ts.queryUrl });
    const capture = fixture('parser-parity-capture.json') as { legacy: { data: unknown[] } };
    expect(await client.getTrace('f77950feed55c1ce91dd8e8789000001')).toEqual({
      ok: true,
      value: capture.legacy.data[0],
    });
    expect(await client.findTraces({ service: 'test-service', startUs: 0, endUs: 2000 })).toEqual({
      ok: true,
      value: capture.legacy.data,
    });
    expect(await client.operations('telemetrygen')).toEqual({
      ok: true,
      value: [{ name: 'okey-dokey-0', spanKind: 'server' }],
    });
    expect(await client.dependencies(Date.now(), 60_000)).toEqual({ ok: true, value: [] });
    expect((await client.getTrace('0123456789abcdef')).ok).toBe(false);
    expect(client.apiVersion).toBe('v1');
  });

  it('answers /api/v3/traces searches with OTLP JSON under result', async () => {
    const { status, body } = await get(
      '/api/v3/traces?query.service_name=test-service&query.start_time_min=1970-01-01T00:00:00Z&query.start_time_max=1970-01-01T00:00:01Z',
    );
    expect(status).toBe(200);
    expect((body as { result: { resourceSpans: unknown[] } }).result.resourceSpans).toHaveLength(1);
  });
});

describe('OTLP/HTTP receiver', () => {
  const now = BigInt(Date.now()) * 1_000_000n;
  const request = (traceId: string, spanIds: string[], service = 'receiver-test') => ({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: spanIds.map((spanId) => ({
              traceId,
              spanId,
              name: 'op',
              kind: 2,
              startTimeUnixNano: now.toString(),
              endTimeUnixNano: Number(now + 1_000_000n), // int64 as a number is accepted too
            })),
          },
        ],
      },
    ],
  });
  const spanCount = async (traceId: string) => {
    const res = await get(`/api/traces/${traceId}`);
    return res.status === 200 ? TracesResponseSchema.parse(res.body).data[0]?.spans.length : 0;
  };

  it('accepts gzip-compressed JSON', async () => {
    const res = await post(
      gzipSync(JSON.stringify(request('11111111111111111111111111111111', ['0000000000000001']))),
      {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(await spanCount('11111111111111111111111111111111')).toBe(1);
  });

  it('answers partialSuccess for spans with bad ids and keeps the good ones (JSON)', async () => {
    const res = await postJson(
      request('22222222222222222222222222222222', ['0000000000000001', 'abcd', '0000000000000002']),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(body.partialSuccess.rejectedSpans).toBe('1');
    expect(body.partialSuccess.errorMessage).toContain('spanId must be 16 hex digits');
    expect(await spanCount('22222222222222222222222222222222')).toBe(2);
  });

  it('reads each JSON export alone: a shorter body after a longer one sees none of its bytes', async () => {
    const longer = request('55555555555555555555555555555555', ['0000000000000001', '0000000000000002']);
    expect((await postJson({ ...longer, pad: 'x'.repeat(100 * 1024) })).status).toBe(200);
    // Its own text ends where the longer one's went on: read past its length, it would parse (or not) differently.
    const shorter = JSON.stringify(request('66666666666666666666666666666666', ['0000000000000003']));
    expect((await post(shorter, { 'content-type': 'application/json' })).status).toBe(200);
    expect((await post(shorter.slice(0, -1), { 'content-type': 'application/json' })).status).toBe(400);
    expect(await spanCount('55555555555555555555555555555555')).toBe(2);
    expect(await spanCount('66666666666666666666666666666666')).toBe(1);
  });

  it('answers 400 with a Status for a body that does not parse, 415 for other content types, 413 past the limit', async () => {
    const bad = await post('{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: number }).code).toBe(3);

    const truncated = await post(Uint8Array.from([0x0a, 0x40, 0x0a, 0x02]), {
      'content-type': 'application/x-protobuf',
    });
    expect(truncated.status).toBe(400);
    expect(truncated.headers.get('content-type')).toBe('application/x-protobuf');

    expect((await post('x', { 'content-type': 'text/plain' })).status).toBe(415);
    expect(
      (await post('not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status,
    ).toBe(400);

    const huge = JSON.stringify({ resourceSpans: [], pad: 'x'.repeat(300 * 1024) });
    expect((await post(huge, { 'content-type': 'application/json' })).status).toBe(413);
    // A gzip bomb: small on the wire, past the limit once decompressed.
    const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(
      (await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status,
    ).toBe(413);

    // None of it disturbed what was accepted before, and the store still takes spans.
    expect(await spanCount('11111111111111111111111111111111')).toBe(1);
    expect((await postJson(request('33333333333333333333333333333333', ['0000000000000003']))).status).toBe(
      200,
    );
    expect(await spanCount('33333333333333333333333333333333')).toBe(1);
  });

  it('truncates a huge attribute value, with a span warning, and joins a parent that arrives after its child', async () => {
    const traceId = '44444444444444444444444444444444';
    const child = request(traceId, ['0000000000000002']);
    const childSpan = child.resourceSpans[0]?.scopeSpans[0]?.spans[0] as Record<string, unknown>;
    childSpan.parentSpanId = '0000000000000001';
    childSpan.attributes = [{ key: 'http.request.body', value: { stringValue: 'x'.repeat(100_000) } }];
    expect((await postJson(child)).status).toBe(200);
    expect((await postJson(request(traceId, ['0000000000000001'], 'frontend'))).status).toBe(200);
    const res = await get(`/api/traces/${traceId}`);
    const trace = TracesResponseSchema.parse(res.body).data[0];
    expect(trace?.spans.map((s) => [s.spanID, trace.processes[s.processID]?.serviceName])).toEqual([
      ['0000000000000002', 'receiver-test'],
      ['0000000000000001', 'frontend'],
    ]);
    const [stored] = trace?.spans ?? [];
    expect(String(stored?.tags[0]?.value)).toHaveLength(65_536);
    expect(stored?.warnings).toEqual([
      'value of "http.request.body" truncated from 100000 to 65536 characters',
    ]);
    expect(stored?.references).toEqual([
      { refType: 'CHILD_OF', traceID: traceId, spanID: '0000000000000001' },
    ]);
  });

  it('answers a protobuf request with a protobuf ExportTraceServiceResponse, partialSuccess included', async () => {
    const field = (no: number, bytes: number[]) => [(no << 3) | 2, bytes.length, ...bytes];
    // ExportTraceServiceRequest { resource_spans { scope_spans { spans { trace_id: 3 bytes (bad), span_id } } } }
    const span = [...field(1, [1, 2, 3]), ...field(2, [1, 2, 3, 4, 5, 6, 7, 8])];
    const body = Uint8Array.from(field(1, field(2, field(2, span))));
    const res = await post(body, { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const bytes = [...new Uint8Array(await res.arrayBuffer())];
    // partial_success (field 1) { rejected_spans (field 1) = 1, error_message (field 2) ... }
    expect(bytes.slice(0, 1)).toEqual([0x0a]);
    expect(bytes.slice(2, 5)).toEqual([0x08, 1, 0x12]);
    expect(Buffer.from(bytes.slice(6)).toString()).toBe('traceId must be 16 bytes, got 3');
    const empty = await post(new Uint8Array(0), { 'content-type': 'application/x-protobuf' });
    expect(empty.status).toBe(200);
    expect((await empty.arrayBuffer()).byteLength).toBe(0);
  });

  it('refuses other methods and paths', async () => {
    expect((await fetch(ts.otlpUrl)).status).toBe(405);
    expect((await fetch(ts.otlpUrl.replace('/v1/traces', '/v1/metrics'), { method: 'POST' })).status).toBe(
      404,
    );
  });
});

describe('OTLP/HTTP receiver under too many large exports at once', () => {
  it('answers 503 with Retry-After past the in-flight byte budget, and gives the budget back', async () => {
    const small = await startTraceStore({ otlpPort: 0, queryPort: 0, maxInflightBytes: 64 * 1024 });
    try {
      const big = JSON.stringify({ resourceSpans: [], pad: 'x'.repeat(100 * 1024) });
      const refused = await fetch(small.otlpUrl, {
        method: 'POST',
        body: big,
        headers: { 'content-type': 'application/json' },
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(((await refused.json()) as { code: number }).code).toBe(14);
      for (let i = 0; i < 3; i++) {
        const ok = await fetch(small.otlpUrl, {
          method: 'POST',
          body: JSON.stringify({ resourceSpans: [], pad: 'y'.repeat(40 * 1024) }),
          headers: { 'content-type': 'application/json' },
        });
        expect(ok.status).toBe(200);
      }
    } finally {
      await small.close();
    }
  });

  it('counts a body of declared length against the budget from its headers on, before its bytes arrive', async () => {
    const small = await startTraceStore({ otlpPort: 0, queryPort: 0, maxInflightBytes: 64 * 1024 });
    const body = JSON.stringify({ resourceSpans: [], pad: 'x'.repeat(40 * 1024) });
    // A slow export: headers and a few bytes, the rest held back.
    const url = new URL(small.otlpUrl);
    const slow = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const slowAnswer = new Promise<number>((resolve, reject) => {
      slow.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      slow.on('error', reject);
    });
    slow.write(body.slice(0, 10));
    try {
      // Once the slow export's headers are in, its 40 KB are reserved: another 40 KB export must wait.
      let status = 0;
      for (let i = 0; i < 100 && status !== 503; i++) {
        const other = await fetch(small.otlpUrl, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        status = other.status;
      }
      expect(status).toBe(503);
      slow.end(body.slice(10));
      expect(await slowAnswer).toBe(200);
      const after = await fetch(small.otlpUrl, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(after.status).toBe(200);
    } finally {
      slow.destroy();
      await small.close();
    }
  });
});
